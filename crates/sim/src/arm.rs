//! Azure Resource Manager under `/arm`: the tenants a user belongs to (reference §2.7),
//! subscriptions, and the `microsoft.visualstudio/account` resources that link an
//! organization to a subscription for billing (reference §2.10).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::responses::{arm_error, json_response};
use crate::scenario::UserSpec;
use crate::state::{format_date, Audience, Shared, World, DEVOPS_RESOURCE};

type SimState = State<Arc<Shared>>;
type Outcome = Result<Response, Response>;
type QueryMap = Query<HashMap<String, String>>;

const VISUAL_STUDIO_ACCOUNT_TYPE: &str = "microsoft.visualstudio/account";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/arm/tenants", get(tenants))
        .route("/arm/subscriptions", get(subscriptions))
        .route(
            "/arm/subscriptions/{subscription}/resources",
            get(resources),
        )
}

/// ARM wants a token for its own audience; anything else is a 401 with ARM's error body.
fn authenticate(
    world: &World,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Result<UserSpec, Response> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Err(arm_error(
            StatusCode::UNAUTHORIZED,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    let invalid = || {
        arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )
    };
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(invalid()),
    };
    let Some(grant) = world.access_tokens.get(token) else {
        return Err(invalid());
    };
    if grant.audience != Audience::Arm {
        let audience = match grant.audience {
            Audience::DevOps => DEVOPS_RESOURCE,
            _ => "00000003-0000-0000-c000-000000000000",
        };
        return Err(arm_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            &format!(
                "The access token has been obtained for wrong audience or resource '{audience}'. It should \
                 exactly match with one of the allowed audiences 'https://management.core.windows.net/',\
                 'https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
            ),
        ));
    }
    if world.live_access_token(token).is_none() {
        return Err(arm_error(
            StatusCode::UNAUTHORIZED,
            "ExpiredAuthenticationToken",
            &format!(
                "The access token expiry UTC time '{}' is earlier than current UTC time '{}'.",
                format_date(grant.expires_at_utc),
                format_date(world.utc_now())
            ),
        ));
    }
    if !query.contains_key("api-version") {
        return Err(arm_error(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    world.user(&grant.email).cloned().ok_or_else(invalid)
}

async fn tenants(State(shared): SimState, headers: HeaderMap, Query(query): QueryMap) -> Outcome {
    let world = shared.world();
    let user = authenticate(&world, &headers, &query)?;
    let value: Vec<Value> = world
        .tenants_of(&user.email)
        .into_iter()
        .map(|t| {
            json!({
                "id": format!("/tenants/{}", t.id),
                "tenantId": t.id,
                "countryCode": t.country_code,
                "displayName": t.display_name,
                "domains": t.domains,
                "tenantCategory": "Home",
                "defaultDomain": t.domains.first(),
                "tenantType": "AAD",
            })
        })
        .collect();
    Ok(json_response(StatusCode::OK, &json!({"value": value})))
}

async fn subscriptions(
    State(shared): SimState,
    headers: HeaderMap,
    Query(query): QueryMap,
) -> Outcome {
    let world = shared.world();
    let user = authenticate(&world, &headers, &query)?;
    let value: Vec<Value> = world
        .subscriptions
        .iter()
        .filter(|s| s.users.contains(&user.email))
        .map(|s| {
            json!({
                "id": format!("/subscriptions/{}", s.id),
                "authorizationSource": "RoleBased",
                "managedByTenants": [],
                "subscriptionId": s.id,
                "tenantId": s.tenant,
                "displayName": s.display_name,
                "state": s.state,
                "subscriptionPolicies": {
                    "locationPlacementId": "Public_2014-09-01",
                    "quotaId": "PayAsYouGo_2014-09-01",
                    "spendingLimit": "Off",
                },
            })
        })
        .collect();
    let count = value.len();
    Ok(json_response(
        StatusCode::OK,
        &json!({"value": value, "count": {"type": "Total", "value": count}}),
    ))
}

async fn resources(
    State(shared): SimState,
    headers: HeaderMap,
    Path(subscription): Path<String>,
    Query(query): QueryMap,
) -> Outcome {
    let world = shared.world();
    let user = authenticate(&world, &headers, &query)?;
    let Some(spec) = world
        .subscriptions
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(&subscription))
    else {
        return Err(arm_error(
            StatusCode::NOT_FOUND,
            "SubscriptionNotFound",
            &format!("The subscription '{subscription}' could not be found."),
        ));
    };
    if !spec.users.contains(&user.email) {
        return Err(arm_error(
            StatusCode::FORBIDDEN,
            "AuthorizationFailed",
            &format!(
                "The client '{}' with object id '{}' does not have authorization to perform action \
                 'Microsoft.Resources/subscriptions/resources/read' over scope '/subscriptions/{}' or the scope \
                 is invalid. If access was recently granted, please refresh your credentials.",
                user.email, user.id, spec.id
            ),
        ));
    }
    let wanted_type = query.get("$filter").and_then(|f| resource_type_filter(f));
    let value: Vec<Value> = world
        .orgs
        .iter()
        .filter_map(|org| org.billing.as_ref().map(|b| (org, b)))
        .filter(|(_, billing)| billing.subscription == spec.id)
        .filter(|_| {
            wanted_type
                .as_deref()
                .is_none_or(|t| t == VISUAL_STUDIO_ACCOUNT_TYPE)
        })
        .map(|(org, billing)| {
            json!({
                "id": format!(
                    "/subscriptions/{}/resourceGroups/{}/providers/{VISUAL_STUDIO_ACCOUNT_TYPE}/{}",
                    spec.id, billing.resource_group, org.name
                ),
                "name": org.name,
                "type": VISUAL_STUDIO_ACCOUNT_TYPE,
                "location": "centralus",
                "tags": {},
            })
        })
        .collect();
    Ok(json_response(StatusCode::OK, &json!({"value": value})))
}

/// The type in `resourceType eq '<type>'`, lower-cased.
fn resource_type_filter(filter: &str) -> Option<String> {
    let lower = filter.to_ascii_lowercase();
    let rest = lower.split("resourcetype eq").nth(1)?.trim();
    let rest = rest.strip_prefix('\'')?;
    Some(rest.split('\'').next()?.to_string())
}
