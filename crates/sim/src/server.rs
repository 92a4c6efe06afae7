//! The HTTP server: one loopback listener, a connection task per client, and a gateway in
//! front of the router that normalises the path, counts the request, applies the
//! endpoint's fault or hold, and logs (method, path, status; never a query or a body).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, Response, Uri};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::fault::{endpoint_key, service_of, Fault};
use crate::responses::fault_response;
use crate::state::Shared;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .merge(crate::identity::routes())
        .merge(crate::devops::routes())
        .merge(crate::arm::routes())
        .merge(crate::control::routes())
        .with_state(shared)
}

/// Accepts connections until the task is aborted; aborting it drops every connection.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let router = router(shared.clone());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                if let Ok((stream, _)) = accepted {
                    connections.spawn(serve_connection(stream, shared.clone(), router.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, router: Router) {
    let _ = stream.set_nodelay(true);
    // A second handle on the socket, to make the close of a Reset fault an RST.
    let Ok(std_stream) = stream.into_std() else {
        return;
    };
    let reset_handle = std_stream.try_clone().ok();
    let Ok(stream) = TcpStream::from_std(std_stream) else {
        return;
    };
    let reset = Arc::new(Notify::new());
    let service = {
        let reset = reset.clone();
        hyper::service::service_fn(move |request: Request<Incoming>| {
            gateway(shared.clone(), router.clone(), reset.clone(), request)
        })
    };
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = connection => {}
        _ = reset.notified() => {
            if let Some(handle) = &reset_handle {
                let _ = socket2::SockRef::from(handle).set_linger(Some(Duration::ZERO));
            }
        }
    }
}

async fn gateway(
    shared: Arc<Shared>,
    router: Router,
    reset: Arc<Notify>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let started = std::time::Instant::now();
    let mut request = request.map(Body::new);
    normalize_path(&mut request);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let key = endpoint_key(&path);

    let fault = key.and_then(|k| shared.world().record_request(k));
    if let (Some(key), Some(fault)) = (key, fault) {
        match fault {
            Fault::Latency { ms, .. } => tokio::time::sleep(Duration::from_millis(ms)).await,
            Fault::Hang { .. } => {
                log(&shared, &method, &path, "hang (fault)", started);
                std::future::pending::<()>().await;
            }
            Fault::Reset { .. } => {
                log(&shared, &method, &path, "reset (fault)", started);
                reset.notify_one();
                std::future::pending::<()>().await;
            }
            other => {
                if let Some(response) = fault_response(service_of(key), &other) {
                    let outcome = format!("{} (fault)", response.status().as_u16());
                    log(&shared, &method, &path, &outcome, started);
                    return Ok(response);
                }
            }
        }
    }

    let response = router
        .oneshot(request)
        .await
        .unwrap_or_else(|never| match never {});
    if let Some(key) = key {
        let is_write = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        let hold = shared.world().holds.get(key).copied();
        if let (true, Some(ms)) = (is_write, hold) {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
    log(
        &shared,
        &method,
        &path,
        &response.status().as_u16().to_string(),
        started,
    );
    Ok(response)
}

/// Azure DevOps and the identity platform match paths without regard to case; so does the
/// router, on a lower-cased path without a trailing slash. The query is kept as sent.
fn normalize_path(request: &mut Request<Body>) {
    let uri = request.uri();
    let mut path = uri.path().to_ascii_lowercase();
    while path.len() > 1 && path.ends_with('/') {
        path.pop();
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    if let Ok(normalized) = path_and_query.parse::<Uri>() {
        *request.uri_mut() = normalized;
    }
}

fn log(shared: &Shared, method: &Method, path: &str, outcome: &str, started: std::time::Instant) {
    if shared.log_requests {
        eprintln!(
            "ado-sim: {method} {path} -> {outcome} ({} ms)",
            started.elapsed().as_millis()
        );
    }
}
