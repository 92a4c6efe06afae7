//! Test control under `/_sim`: approve or decline a user code, read request counts, switch
//! faults, hold a response, make an invited user sign in, move the clock, dump the state.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::fault::{Fault, ENDPOINT_KEYS};
use crate::responses::json_response;
use crate::state::{format_date, DeviceStatus, Shared, World};

type SimState = State<Arc<Shared>>;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_sim/approve", post(approve))
        .route("/_sim/decline", post(decline))
        .route("/_sim/requests", get(requests))
        .route("/_sim/faults", post(set_fault).delete(clear_faults))
        .route("/_sim/first-sign-in", post(first_sign_in))
        .route("/_sim/hold", post(hold))
        .route("/_sim/clock", post(advance_clock))
        .route("/_sim/state", get(state))
        .route("/_sim/secrets", get(secrets))
}

/// Every secret the simulator has issued: access and refresh tokens (revoked ones too) and
/// personal access tokens. For leak tests, which grep what the client wrote for each of them.
async fn secrets(State(shared): SimState) -> Response {
    let world = shared.world();
    let mut access: Vec<&String> = world.access_tokens.keys().collect();
    let mut refresh: Vec<&String> = world.refresh_tokens.keys().collect();
    access.sort();
    refresh.sort();
    let pats: Vec<&String> = world.pats.iter().map(|p| &p.token).collect();
    json_response(
        StatusCode::OK,
        &json!({"access": access, "refresh": refresh, "pats": pats}),
    )
}

fn outcome(done: bool, failure: &str) -> Response {
    if done {
        json_response(StatusCode::OK, &json!({"ok": true}))
    } else {
        json_response(
            StatusCode::NOT_FOUND,
            &json!({"ok": false, "error": failure}),
        )
    }
}

fn bad_request(message: String) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        &json!({"ok": false, "error": message}),
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApproveRequest {
    #[serde(alias = "user_code")]
    user_code: String,
    #[serde(alias = "email")]
    user: String,
}

async fn approve(State(shared): SimState, Json(request): Json<ApproveRequest>) -> Response {
    let done = shared.world().approve(&request.user_code, &request.user);
    outcome(
        done,
        "no pending user code with that value, or no such user",
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeclineRequest {
    #[serde(alias = "user_code")]
    user_code: String,
}

async fn decline(State(shared): SimState, Json(request): Json<DeclineRequest>) -> Response {
    let done = shared.world().decline(&request.user_code);
    outcome(done, "no pending user code with that value")
}

async fn requests(State(shared): SimState) -> Response {
    json_response(StatusCode::OK, &request_counts(&shared.world()))
}

fn request_counts(world: &World) -> Value {
    let mut counts = serde_json::Map::new();
    let mut keys: Vec<&String> = world.requests.keys().collect();
    keys.sort();
    for key in keys {
        counts.insert(key.clone(), json!(world.requests[key]));
    }
    Value::Object(counts)
}

#[derive(Deserialize)]
struct FaultRequest {
    endpoint: String,
    fault: Fault,
}

async fn set_fault(State(shared): SimState, Json(request): Json<FaultRequest>) -> Response {
    if !ENDPOINT_KEYS.contains(&request.endpoint.as_str()) {
        return bad_request(format!(
            "unknown endpoint '{}'; one of {}",
            request.endpoint,
            ENDPOINT_KEYS.join(", ")
        ));
    }
    shared
        .world()
        .faults
        .insert(request.endpoint, request.fault);
    json_response(StatusCode::OK, &json!({"ok": true}))
}

async fn clear_faults(State(shared): SimState) -> Response {
    let mut world = shared.world();
    world.faults.clear();
    world.holds.clear();
    json_response(StatusCode::OK, &json!({"ok": true}))
}

#[derive(Deserialize)]
struct FirstSignInRequest {
    org: String,
    email: String,
}

async fn first_sign_in(
    State(shared): SimState,
    Json(request): Json<FirstSignInRequest>,
) -> Response {
    let done = shared.world().first_sign_in(&request.org, &request.email);
    outcome(done, "no such member in that organization")
}

#[derive(Deserialize)]
struct HoldRequest {
    endpoint: String,
    ms: u64,
}

async fn hold(State(shared): SimState, Json(request): Json<HoldRequest>) -> Response {
    if !ENDPOINT_KEYS.contains(&request.endpoint.as_str()) {
        return bad_request(format!("unknown endpoint '{}'", request.endpoint));
    }
    let mut world = shared.world();
    if request.ms == 0 {
        world.holds.remove(&request.endpoint);
    } else {
        world.holds.insert(request.endpoint, request.ms);
    }
    json_response(StatusCode::OK, &json!({"ok": true}))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    advance_secs: u64,
}

async fn advance_clock(State(shared): SimState, Json(request): Json<ClockRequest>) -> Response {
    shared
        .world()
        .advance_clock(Duration::from_secs(request.advance_secs));
    json_response(StatusCode::OK, &json!({"ok": true}))
}

/// Everything a test may want to assert on, without any secret (no tokens, no device codes).
async fn state(State(shared): SimState) -> Response {
    let world = shared.world();
    let organizations: Vec<Value> = world
        .orgs
        .iter()
        .map(|org| {
            json!({
                "id": org.id,
                "name": org.name,
                "owner": org.owner,
                "tenantId": org.tenant,
                "sshKeys": org.ssh_keys,
                "billingSubscription": org.billing.as_ref().map(|b| b.subscription.clone()),
                "members": org.members.iter().map(|m| json!({
                    "email": m.email,
                    "license": m.license,
                    "pca": m.pca,
                    "status": m.status,
                    "lastAccessedDate": m.last_accessed.map(format_date),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let device_codes: Vec<Value> = world
        .device_codes
        .values()
        .map(|d| {
            let status = match &d.status {
                DeviceStatus::Pending => "pending".to_string(),
                DeviceStatus::Approved { email } => format!("approved:{email}"),
                DeviceStatus::Declined => "declined".to_string(),
                DeviceStatus::Redeemed => "redeemed".to_string(),
            };
            json!({"userCode": d.user_code, "status": status, "clientId": d.client_id, "tenant": d.tenant_segment})
        })
        .collect();
    let pats: Vec<Value> = world
        .pats
        .iter()
        .map(|p| {
            json!({
                "authorizationId": p.authorization_id,
                "displayName": p.display_name,
                "scope": p.scope,
                "org": p.org,
                "owner": p.owner,
                "validTo": format_date(p.valid_to),
                "revoked": p.revoked,
            })
        })
        .collect();
    let tenants: Vec<Value> = world
        .tenants
        .iter()
        .map(|t| json!({"id": t.id, "displayName": t.display_name, "domains": t.domains, "members": t.members, "guests": t.guests}))
        .collect();
    let body = json!({
        "organizations": organizations,
        "tenants": tenants,
        "deviceCodes": device_codes,
        "pats": pats,
        "tokens": {
            "access": world.access_tokens.len(),
            "refresh": world.refresh_tokens.values().filter(|r| !r.revoked).count(),
        },
        "requests": request_counts(&world),
        "faults": world.faults,
        "holds": world.holds,
    });
    json_response(StatusCode::OK, &body)
}
