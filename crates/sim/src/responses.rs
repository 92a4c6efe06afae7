//! The error bodies of each Microsoft service, and the small HTML pages the simulator serves.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::fault::{Fault, Service};

pub(crate) const EMPTY_GUID: &str = "00000000-0000-0000-0000-000000000000";

/// An identity-platform error (reference §1.3 "Error body shape"): HTTP 400 unless told,
/// `error_description` = "AADSTSnnnnn: text" + trace, correlation and timestamp lines.
pub(crate) fn aad_error(status: StatusCode, error: &str, code: u32, text: &str) -> Response {
    let trace_id = uuid::Uuid::new_v4().to_string();
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
    let body = json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {text}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}"
        ),
        "error_codes": [code],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    json_response(status, &body)
}

/// The Azure DevOps error envelope (reference §2.1).
pub(crate) fn ado_error(status: StatusCode, type_key: &str, message: &str) -> Response {
    let type_name = match type_key {
        "UnauthorizedRequestException" => "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException, Microsoft.TeamFoundation.Framework.Server".to_string(),
        "AccessCheckException" => "Microsoft.VisualStudio.Services.Security.AccessCheckException, Microsoft.VisualStudio.Services.WebApi".to_string(),
        "ArgumentException" | "ArgumentNullException" | "InvalidOperationException" => {
            format!("System.{type_key}, mscorlib")
        }
        _ => format!("Microsoft.VisualStudio.Services.WebApi.{type_key}, Microsoft.VisualStudio.Services.WebApi"),
    };
    let body = json!({
        "$id": "1",
        "innerException": null,
        "message": message,
        "typeName": type_name,
        "typeKey": type_key,
        "errorCode": 0,
        "eventId": 3000,
    });
    json_response(status, &body)
}

/// 401 with TF400813 for the given identity ('' when there is none).
pub(crate) fn tf400813(user: &str) -> Response {
    ado_error(
        StatusCode::UNAUTHORIZED,
        "UnauthorizedRequestException",
        &format!("TF400813: The user '{user}' is not authorized to access this resource."),
    )
}

/// Azure DevOps' answer to a missing, invalid or expired token on GET/POST: 203 with the
/// HTML sign-in page instead of a 401 (reference §2.1 "Gotcha").
pub(crate) fn sign_in_page_203() -> Response {
    let html = r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Azure DevOps Services | Sign In</title></head>
<body>
<div id="signin">Sign in to your account to continue to Azure DevOps.</div>
<a href="https://app.vssps.visualstudio.com/_signin">Sign in</a>
</body>
</html>
"#;
    let mut response = (StatusCode::NON_AUTHORITATIVE_INFORMATION, html).into_response();
    set_content_type(&mut response, "text/html; charset=utf-8");
    response
}

/// ARM's error body: `{"error":{"code":…,"message":…}}`.
pub(crate) fn arm_error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = json_response(
        status,
        &json!({"error": {"code": code, "message": message}}),
    );
    if status == StatusCode::UNAUTHORIZED {
        let value = format!(
            "Bearer authorization_uri=\"https://login.windows.net/\", error=\"invalid_token\", error_description=\"{}\"",
            message.replace('"', "'")
        );
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

pub(crate) fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    set_content_type(&mut response, "application/json; charset=utf-8");
    response
}

pub(crate) fn html_page(status: StatusCode, title: &str, body_html: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title>\n\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}\
         label,select,input,button{{display:block;margin:.5rem 0;font-size:1rem}}</style></head>\n\
         <body>\n<h1>{}</h1>\n{}\n</body>\n</html>\n",
        escape_html(title),
        escape_html(title),
        body_html
    );
    let mut response = (status, html).into_response();
    set_content_type(&mut response, "text/html; charset=utf-8");
    response
}

pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn set_content_type(response: &mut Response, value: &'static str) {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
}

/// The response a fault produces in place of the real answer. Latency, Hang and Reset
/// have none (the server handles them).
pub(crate) fn fault_response(service: Service, fault: &Fault) -> Option<Response> {
    Some(match fault {
        Fault::Latency { .. } | Fault::Hang { .. } | Fault::Reset { .. } => return None,
        Fault::Status { code, .. } => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            service_error(service, status)
        }
        Fault::TooManyRequests {
            retry_after_secs, ..
        } => {
            let mut response = service_error(service, StatusCode::TOO_MANY_REQUESTS);
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            response
        }
        Fault::MalformedJson { .. } => {
            let mut response =
                (StatusCode::OK, "{\"value\": [{\"id\": \"truncated").into_response();
            set_content_type(&mut response, "application/json; charset=utf-8");
            response
        }
        Fault::WrongContentType { .. } => {
            let mut response =
                (StatusCode::OK, "The service answered in plain text.\n").into_response();
            set_content_type(&mut response, "text/plain; charset=utf-8");
            response
        }
        Fault::Html203 { .. } => sign_in_page_203(),
        Fault::Unauthorized401 { .. } => match service {
            Service::DevOps => tf400813(""),
            Service::Arm => arm_error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "The access token is invalid.",
            ),
            Service::Identity => aad_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                "Invalid client secret provided.",
            ),
        },
    })
}

/// A server-side failure with the status given, in the body shape of the service.
fn service_error(service: Service, status: StatusCode) -> Response {
    match service {
        Service::Identity => {
            let (error, code, text) = match status.as_u16() {
                429 => (
                    "temporarily_unavailable",
                    90055,
                    "There are too many incoming requests. Please try again later.",
                ),
                503 => (
                    "temporarily_unavailable",
                    90033,
                    "A transient error has occurred. Please try again.",
                ),
                _ => (
                    "server_error",
                    50000,
                    "There was an error issuing a token or an issue with our sign-in service.",
                ),
            };
            aad_error(status, error, code, text)
        }
        Service::DevOps => {
            let (type_key, message) = match status.as_u16() {
                429 => ("RequestBlockedException", "TF400733: The request was blocked because it exceeded the usage of resources allowed in a short period of time."),
                503 => ("VssServiceUnavailableException", "VS800050: The service is temporarily unavailable. Please try again later."),
                _ => ("VssServiceException", "TF400898: An Internal Error Occurred."),
            };
            ado_error(status, type_key, message)
        }
        Service::Arm => {
            let (code, message) = match status.as_u16() {
                429 => ("TooManyRequests", "The request is being throttled."),
                503 => (
                    "ServiceUnavailable",
                    "The service is currently unavailable.",
                ),
                _ => ("InternalServerError", "Encountered internal server error."),
            };
            arm_error(status, code, message)
        }
    }
}
