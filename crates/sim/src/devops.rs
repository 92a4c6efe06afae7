//! Azure DevOps under `/app.vssps` (profile, accounts), `/dev` (tenant probe, settings pages),
//! `/vssps` (Organization, PATs) and `/vsaex` (user entitlements). Reference §2.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::responses::{
    ado_error, escape_html, html_page, json_response, sign_in_page_203, tf400813, EMPTY_GUID,
};
use crate::scenario::{license_display_name, UserKind, UserSpec};
use crate::state::{
    format_date, random_string, Audience, Member, Organization, PersonalAccessToken, Shared, World,
};

type SimState = State<Arc<Shared>>;
type Outcome = Result<Response, Response>;
type QueryMap = Query<HashMap<String, String>>;

const NEVER: &str = "0001-01-01T00:00:00Z";

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/app.vssps/_apis/profile/profiles/{id}", get(profile))
        .route("/app.vssps/_apis/accounts", get(accounts))
        .route("/dev/{org}", get(probe))
        .route("/dev/{org}/_settings/{page}", get(settings_page))
        .route(
            "/vssps/{org}/_apis/organization/organizations/{id}",
            get(get_organization).patch(update_organization),
        )
        .route(
            "/vssps/{org}/_apis/tokens/pats",
            get(get_pats).post(create_pat).delete(revoke_pat),
        )
        .route(
            "/vsaex/{org}/_apis/userentitlements",
            get(list_entitlements).post(add_entitlement),
        )
        .route(
            "/vsaex/{org}/_apis/userentitlements/{id}",
            get(get_entitlement).delete(delete_entitlement),
        )
}

// ------------------------------------------------------------------ authentication

/// Who is calling: an Entra access token for Azure DevOps, or a PAT (Basic).
enum Caller {
    Entra {
        email: String,
        tenant: String,
    },
    Pat {
        email: String,
        target_accounts: Option<Vec<String>>,
    },
}

impl Caller {
    fn email(&self) -> &str {
        match self {
            Caller::Entra { email, .. } | Caller::Pat { email, .. } => email,
        }
    }
}

fn authenticate(world: &World, headers: &HeaderMap) -> Option<Caller> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.split_once(' ')?;
    let credential = credential.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = world.live_access_token(credential)?;
        (token.audience == Audience::DevOps).then(|| Caller::Entra {
            email: token.email.clone(),
            tenant: token.tenant.clone(),
        })
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = String::from_utf8(STANDARD.decode(credential).ok()?).ok()?;
        let secret = decoded
            .split_once(':')
            .map_or(decoded.as_str(), |(_, pat)| pat);
        let now = world.utc_now();
        let pat = world
            .pats
            .iter()
            .find(|p| !p.revoked && p.valid_to > now && p.token == secret)?;
        Some(Caller::Pat {
            email: pat.owner.clone(),
            target_accounts: pat.target_accounts.clone(),
        })
    } else {
        None
    }
}

/// A missing, invalid or expired credential: 203 + HTML sign-in page on GET/POST/HEAD,
/// 401 + TF400813 on PATCH and the other writes (reference §2.1 "Gotcha").
fn unauthenticated(method: &Method) -> Response {
    if matches!(*method, Method::GET | Method::POST | Method::HEAD) {
        sign_in_page_203()
    } else {
        tf400813("")
    }
}

fn require_caller(world: &World, method: &Method, headers: &HeaderMap) -> Result<Caller, Response> {
    authenticate(world, headers).ok_or_else(|| unauthenticated(method))
}

fn org_not_found(org: &str) -> Response {
    ado_error(
        StatusCode::NOT_FOUND,
        "OrganizationNotFoundException",
        &format!("VS800075: The organization '{org}' could not be found."),
    )
}

/// The caller may use the organization: a member (or the owner); for an organization
/// connected to a directory, with a token from that directory. An invited member's first
/// call makes the entitlement active.
fn authorize_org(world: &mut World, caller: &Caller, org: &str) -> Result<usize, Response> {
    let index = world.org_index(org).ok_or_else(|| org_not_found(org))?;
    let user_id = world
        .user(caller.email())
        .map(|u| u.id.clone())
        .unwrap_or_default();
    let require_tenant_token = world.devops.require_tenant_token_for_connected_orgs;
    let now = world.utc_now();
    let organization = &mut world.orgs[index];
    let allowed = match caller {
        Caller::Pat {
            target_accounts: Some(targets),
            ..
        } => targets
            .iter()
            .any(|t| t.eq_ignore_ascii_case(&organization.id)),
        Caller::Pat { .. } => true,
        Caller::Entra { tenant, .. } => match &organization.tenant {
            Some(org_tenant) if require_tenant_token => org_tenant == tenant,
            _ => true,
        },
    };
    let email = caller.email();
    let is_member =
        organization.owner.eq_ignore_ascii_case(email) || organization.member(email).is_some();
    if !allowed || !is_member {
        return Err(tf400813(&user_id));
    }
    if let Some(member) = organization
        .members
        .iter_mut()
        .find(|m| m.email.eq_ignore_ascii_case(email) && m.status == "pending")
    {
        member.status = "active".to_string();
        member.last_accessed = Some(now);
    }
    Ok(index)
}

/// Preview resources refuse a GA api-version (VssInvalidPreviewVersionException).
fn check_preview_version(query: &HashMap<String, String>) -> Result<(), Response> {
    match query.get("api-version") {
        Some(version) if !version.to_ascii_lowercase().contains("-preview") => Err(ado_error(
            StatusCode::BAD_REQUEST,
            "VssInvalidPreviewVersionException",
            &format!(
                "The requested version \"{version}\" of the resource is under preview. The -preview flag must \
                 be supplied in the api-version for such requests. For example: \"{version}-preview\""
            ),
        )),
        _ => Ok(()),
    }
}

fn forbidden(user: &UserSpec, permission: &str) -> Response {
    ado_error(
        StatusCode::FORBIDDEN,
        "AccessCheckException",
        &format!(
            "TF50309: The following account does not have sufficient permissions to complete the operation: \
             {}. The following permissions are needed to perform this operation: {permission}.",
            user.email
        ),
    )
}

// ------------------------------------------------------------------ profile and accounts

async fn profile(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Outcome {
    let world = shared.world();
    let caller = require_caller(&world, &method, &headers)?;
    let user = world
        .user(caller.email())
        .cloned()
        .ok_or_else(|| tf400813(""))?;
    if id != "me" && !id.eq_ignore_ascii_case(&user.id) {
        return Err(ado_error(
            StatusCode::NOT_FOUND,
            "ProfileNotFoundException",
            &format!("The profile with id '{id}' was not found."),
        ));
    }
    let body = json!({
        "displayName": user.display_name,
        "publicAlias": user.id,
        "emailAddress": user.email,
        "coreRevision": 412,
        "timeStamp": "2017-03-14T09:21:00.000+00:00",
        "id": user.id,
        "revision": 412,
    });
    Ok(json_response(StatusCode::OK, &body))
}

async fn accounts(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Query(query): QueryMap,
) -> Outcome {
    let world = shared.world();
    let caller = require_caller(&world, &method, &headers)?;
    let user = world
        .user(caller.email())
        .cloned()
        .ok_or_else(|| tf400813(""))?;
    let (filter, id) = match (query.get("memberId"), query.get("ownerId")) {
        (_, Some(owner)) => ("owner", owner),
        (Some(member), None) => ("member", member),
        (None, None) => {
            return Err(ado_error(
                StatusCode::BAD_REQUEST,
                "ArgumentException",
                "VS800079: Either memberId or ownerId must be supplied.",
            ))
        }
    };
    if !id.eq_ignore_ascii_case(&user.id) {
        return Err(tf400813(&user.id));
    }
    let value: Vec<Value> = world
        .orgs
        .iter()
        .filter(|org| match filter {
            "owner" => org.owner == user.email,
            _ => org.owner == user.email || org.member(&user.email).is_some(),
        })
        .map(|org| {
            let mut account = account_json(&shared.base_url, &world, org);
            if world.devops.accounts_omit_owner {
                account.as_object_mut().map(|a| a.remove("accountOwner"));
            }
            account
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"count": value.len(), "value": value}),
    ))
}

fn account_json(base_url: &str, world: &World, org: &Organization) -> Value {
    let owner_id = world
        .user(&org.owner)
        .map(|u| u.id.clone())
        .unwrap_or_default();
    json!({
        "accountId": org.id,
        "accountUri": format!("{base_url}/vssps/{}/", org.name),
        "accountName": org.name,
        "accountOwner": owner_id,
        "accountStatus": "enabled",
        "accountType": "organization",
        "createdBy": owner_id,
        "createdDate": format_date(org.created),
        "hasMoved": false,
        "lastUpdatedBy": owner_id,
        "lastUpdatedDate": format_date(org.last_updated),
        "namespaceId": org.id,
        "newCollectionId": null,
        "organizationName": null,
        "properties": {},
        "statusReason": null,
    })
}

// ------------------------------------------------------------------ tenant probe and settings pages

/// The unauthenticated probe (reference §2.5): `X-VSS-ResourceTenant` (the empty GUID for an
/// organization backed by personal accounts) and `WWW-Authenticate: Bearer authorization_uri=…`.
/// The status is 401 unless the caller is signed in to the organization.
async fn probe(State(shared): SimState, headers: HeaderMap, Path(org): Path<String>) -> Response {
    let mut world = shared.world();
    let Some(organization) = world.org(&org) else {
        return html_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "<p>The organization does not exist.</p>",
        );
    };
    let tenant = organization.tenant_id_or_empty().to_string();
    let authority = match &organization.tenant {
        Some(id) => format!("https://login.microsoftonline.com/{id}"),
        None => "https://login.microsoftonline.com/common".to_string(),
    };
    let name = organization.name.clone();
    let signed_in = authenticate(&world, &headers)
        .is_some_and(|caller| authorize_org(&mut world, &caller, &org).is_ok());
    let mut response = if signed_in {
        html_page(
            StatusCode::OK,
            &name,
            "<p>Azure DevOps organization home.</p>",
        )
    } else {
        html_page(
            StatusCode::UNAUTHORIZED,
            "Sign in",
            "<p>Sign in to continue.</p>",
        )
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&tenant) {
        headers.insert("x-vss-resourcetenant", value);
    }
    for challenge in [
        format!("Bearer authorization_uri={authority}"),
        "Basic realm=\"https://dev.azure.com/\"".to_string(),
        "TFS-Federated".to_string(),
    ] {
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

async fn settings_page(
    State(shared): SimState,
    Path((org, page)): Path<(String, String)>,
) -> Response {
    let world = shared.world();
    let Some(organization) = world.org(&org) else {
        return html_page(
            StatusCode::NOT_FOUND,
            "Page not found",
            "<p>The organization does not exist.</p>",
        );
    };
    let title = match page.as_str() {
        "organizationaad" => "Microsoft Entra",
        "users" => "Users",
        "billing" => "Billing",
        "organizationoverview" => "Overview",
        _ => "Organization settings",
    };
    let body = format!(
        "<p>Organization settings of <strong>{}</strong> (simulated page).</p>",
        escape_html(&organization.name)
    );
    html_page(StatusCode::OK, title, &body)
}

// ------------------------------------------------------------------ Organization (connect / disconnect)

fn organization_json(world: &World, org: &Organization) -> Value {
    let owner_id = world
        .user(&org.owner)
        .map(|u| u.id.clone())
        .unwrap_or_default();
    let collection = json!({
        "id": org.id,
        "name": org.name,
        "owner": owner_id,
        "status": "enabled",
        "dateCreated": format_date(org.created),
        "lastUpdated": format_date(org.last_updated),
    });
    json!({
        "id": org.id,
        "name": org.name,
        "type": if org.tenant.is_some() { "work" } else { "personal" },
        "status": "enabled",
        "preferredRegion": "CUS",
        "isActivated": true,
        "collections": [collection.clone()],
        "dateCreated": format_date(org.created),
        "lastUpdated": format_date(org.last_updated),
        "creatorId": owner_id,
        "tenantId": org.tenant_id_or_empty(),
        "primaryCollection": collection,
        "properties": {},
        "data": {},
    })
}

fn check_organization_id(org: &Organization, id: &str) -> Result<(), Response> {
    if id == "me" || id.eq_ignore_ascii_case(&org.id) {
        Ok(())
    } else {
        Err(ado_error(
            StatusCode::NOT_FOUND,
            "OrganizationNotFoundException",
            &format!("VS800075: The organization with id '{id}' could not be found."),
        ))
    }
}

async fn get_organization(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path((org, id)): Path<(String, String)>,
    Query(query): QueryMap,
) -> Outcome {
    let mut world = shared.world();
    let index = world.org_index(&org).ok_or_else(|| org_not_found(&org))?;
    check_organization_id(&world.orgs[index], &id)?;
    check_preview_version(&query)?;
    let caller = require_caller(&world, &method, &headers)?;
    let index = authorize_org(&mut world, &caller, &org)?;
    let body = organization_json(&world, &world.orgs[index]);
    Ok(json_response(StatusCode::OK, &body))
}

/// The undocumented connect / disconnect call (reference §2.6): JSON Patch replacing
/// `/TenantId`; only an owner or PCA who is an active member of the target tenant may.
async fn update_organization(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path((org, id)): Path<(String, String)>,
    Query(query): QueryMap,
    body: Bytes,
) -> Outcome {
    let mut world = shared.world();
    let index = world.org_index(&org).ok_or_else(|| org_not_found(&org))?;
    check_organization_id(&world.orgs[index], &id)?;
    check_preview_version(&query)?;
    let caller = require_caller(&world, &method, &headers)?;
    let index = authorize_org(&mut world, &caller, &org)?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if !content_type.starts_with("application/json-patch+json") {
        return Err(ado_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "VssRequestContentTypeNotSupportedException",
            &format!("The request content type '{content_type}' is not supported. Use application/json-patch+json."),
        ));
    }
    let new_tenant = parse_tenant_patch(&body)?;
    let user = world
        .user(caller.email())
        .cloned()
        .ok_or_else(|| tf400813(""))?;
    let organization = &world.orgs[index];
    if !organization.is_owner_or_admin(&user.email) {
        return Err(forbidden(&user, "Edit collection-level information"));
    }
    let org_name = organization.name.clone();
    let target = if new_tenant == EMPTY_GUID {
        if user.kind == UserKind::Aad {
            return Err(ado_error(
                StatusCode::BAD_REQUEST,
                "InvalidOperationException",
                &format!(
                    "User: {} is not allowed to disconnect organization: {org_name}. Azure AD users can't \
                     disconnect organizations from directories.",
                    user.email
                ),
            ));
        }
        None
    } else {
        let Some(tenant) = world.tenant_by_id(&new_tenant) else {
            return Err(ado_error(
                StatusCode::BAD_REQUEST,
                "InvalidOperationException",
                &format!("The AAD tenant '{new_tenant}' does not exist or could not be found."),
            ));
        };
        if !world.is_tenant_member(tenant, &user.email) {
            let domain = tenant.domains.first().cloned().unwrap_or_default();
            return Err(ado_error(
                StatusCode::BAD_REQUEST,
                "InvalidOperationException",
                &format!(
                    "User: {} is not allowed to link organization: {org_name} to AAD tenant: {domain}. Only \
                     active members of the AAD tenant are allowed to perform the link.",
                    user.email
                ),
            ));
        }
        Some(tenant.id.clone())
    };
    let now = world.utc_now();
    let organization = &mut world.orgs[index];
    if organization.tenant != target {
        organization.tenant = target;
        organization.last_updated = now;
    }
    let body = organization_json(&world, &world.orgs[index]);
    Ok(json_response(StatusCode::OK, &body))
}

/// `[{"from":"","op":2,"path":"/TenantId","value":"<guid>"}]`; op 2 is VSS' numeric replace.
fn parse_tenant_patch(body: &[u8]) -> Result<String, Response> {
    let invalid = |why: &str| {
        ado_error(
            StatusCode::BAD_REQUEST,
            "VssPropertyValidationException",
            &format!("The JSON Patch document is not valid: {why}"),
        )
    };
    let document: Value =
        serde_json::from_slice(body).map_err(|_| invalid("the body is not JSON"))?;
    let operations = document
        .as_array()
        .ok_or_else(|| invalid("expected an array of operations"))?;
    let operation = operations
        .iter()
        .find(|op| {
            op.get("path")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case("/TenantId"))
        })
        .ok_or_else(|| invalid("no operation on /TenantId"))?;
    let is_replace = match operation.get("op") {
        Some(Value::Number(n)) => n.as_u64() == Some(2),
        Some(Value::String(s)) => s.eq_ignore_ascii_case("replace"),
        _ => false,
    };
    if !is_replace {
        return Err(invalid("only replace (op 2) is supported on /TenantId"));
    }
    let value = operation
        .get("value")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("value must be a string"))?;
    uuid::Uuid::parse_str(value.trim())
        .map(|u| u.to_string())
        .map_err(|_| invalid(&format!("'{value}' is not a tenant id")))
}

// ------------------------------------------------------------------ user entitlements

fn entitlement_json(base_url: &str, world: &World, org: &Organization, member: &Member) -> Value {
    let user = world.user(&member.email);
    let (id, display_name, kind) = match user {
        Some(u) => (u.id.clone(), u.display_name.clone(), u.kind),
        None => (EMPTY_GUID.to_string(), member.email.clone(), UserKind::Msa),
    };
    let (origin, domain, origin_id) = match kind {
        UserKind::Msa => (
            "msa",
            "Windows Live ID".to_string(),
            id.replace('-', "")[..16].to_ascii_uppercase(),
        ),
        UserKind::Aad => (
            "aad",
            user.map(|u| world.default_token_tenant(u))
                .unwrap_or_default(),
            id.clone(),
        ),
    };
    let meta_type = match org.tenant.as_deref().and_then(|t| world.tenant_by_id(t)) {
        Some(tenant) if world.is_tenant_guest(tenant, &member.email) => "guest",
        _ => "member",
    };
    let descriptor = format!(
        "{origin}.{}",
        URL_SAFE_NO_PAD.encode(format!("{domain}\\{}", member.email))
    );
    let graph = format!("{base_url}/vssps/{}/_apis/graph", org.name);
    json!({
        "id": id,
        "user": {
            "subjectKind": "user",
            "metaType": meta_type,
            "domain": domain,
            "principalName": member.email,
            "mailAddress": member.email,
            "origin": origin,
            "originId": origin_id,
            "displayName": display_name,
            "_links": {
                "self": {"href": format!("{graph}/users/{descriptor}")},
                "memberships": {"href": format!("{graph}/memberships/{descriptor}")},
                "membershipState": {"href": format!("{graph}/membershipstates/{descriptor}")},
                "storageKey": {"href": format!("{graph}/storagekeys/{descriptor}")},
            },
            "url": format!("{graph}/users/{descriptor}"),
            "descriptor": descriptor,
        },
        "accessLevel": {
            "licensingSource": "account",
            "accountLicenseType": member.license,
            "msdnLicenseType": "none",
            "licenseDisplayName": license_display_name(&member.license).unwrap_or("None"),
            "status": member.status,
            "statusMessage": "",
            "assignmentSource": "unknown",
        },
        "lastAccessedDate": member.last_accessed.map(format_date).unwrap_or_else(|| NEVER.to_string()),
        "dateCreated": format_date(member.date_created),
        "projectEntitlements": [],
        "extensions": [],
        "groupAssignments": [],
    })
}

async fn list_entitlements(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path(org): Path<String>,
) -> Outcome {
    let mut world = shared.world();
    world.org_index(&org).ok_or_else(|| org_not_found(&org))?;
    let caller = require_caller(&world, &method, &headers)?;
    let index = authorize_org(&mut world, &caller, &org)?;
    let organization = &world.orgs[index];
    let items: Vec<Value> = organization
        .members
        .iter()
        .map(|m| entitlement_json(&shared.base_url, &world, organization, m))
        .collect();
    let body = json!({"items": items, "continuationToken": null, "totalCount": items.len()});
    Ok(json_response(StatusCode::OK, &body))
}

async fn get_entitlement(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path((org, id)): Path<(String, String)>,
) -> Outcome {
    let mut world = shared.world();
    world.org_index(&org).ok_or_else(|| org_not_found(&org))?;
    let caller = require_caller(&world, &method, &headers)?;
    let index = authorize_org(&mut world, &caller, &org)?;
    let organization = &world.orgs[index];
    let member = organization
        .members
        .iter()
        .find(|m| {
            world
                .user(&m.email)
                .is_some_and(|u| u.id.eq_ignore_ascii_case(&id))
        })
        .ok_or_else(|| entitlement_not_found(&id))?;
    let body = entitlement_json(&shared.base_url, &world, organization, member);
    Ok(json_response(StatusCode::OK, &body))
}

fn entitlement_not_found(id: &str) -> Response {
    ado_error(
        StatusCode::NOT_FOUND,
        "UserEntitlementNotFoundException",
        &format!("VS403283: Could not find user with id {id}."),
    )
}

async fn delete_entitlement(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path((org, id)): Path<(String, String)>,
) -> Outcome {
    let mut world = shared.world();
    world.org_index(&org).ok_or_else(|| org_not_found(&org))?;
    let caller = require_caller(&world, &method, &headers)?;
    let index = authorize_org(&mut world, &caller, &org)?;
    let user = world
        .user(caller.email())
        .cloned()
        .ok_or_else(|| tf400813(""))?;
    if !world.orgs[index].is_owner_or_admin(&user.email) {
        return Err(forbidden(&user, "Manage users"));
    }
    let target = world
        .user_by_id(&id)
        .map(|u| u.email.clone())
        .ok_or_else(|| entitlement_not_found(&id))?;
    let organization = &mut world.orgs[index];
    if organization.owner == target {
        return Err(ado_error(
            StatusCode::BAD_REQUEST,
            "InvalidOperationException",
            "The organization owner cannot be removed.",
        ));
    }
    let before = organization.members.len();
    organization.members.retain(|m| m.email != target);
    if organization.members.len() == before {
        return Err(entitlement_not_found(&id));
    }
    Ok(StatusCode::OK.into_response())
}

fn is_valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && address
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != ',' && c != ';')
}

/// A failed add: HTTP 200 with `isSuccess: false` and `errors: [{key, value}]`.
fn add_failure(key: u32, message: String) -> Response {
    json_response(
        StatusCode::OK,
        &json!({
            "isSuccess": false,
            "userEntitlement": null,
            "operationResult": {
                "isSuccess": false,
                "errors": [{"key": key, "value": message}],
                "userId": EMPTY_GUID,
                "result": null,
            },
        }),
    )
}

async fn add_entitlement(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path(org): Path<String>,
    body: Bytes,
) -> Outcome {
    let mut world = shared.world();
    world.org_index(&org).ok_or_else(|| org_not_found(&org))?;
    let caller = require_caller(&world, &method, &headers)?;
    let index = authorize_org(&mut world, &caller, &org)?;
    let inviter = world
        .user(caller.email())
        .cloned()
        .ok_or_else(|| tf400813(""))?;
    if !world.orgs[index].is_owner_or_admin(&inviter.email) {
        return Err(forbidden(&inviter, "Manage users"));
    }
    let request: Value = serde_json::from_slice(&body).map_err(|_| {
        ado_error(
            StatusCode::BAD_REQUEST,
            "ArgumentNullException",
            "Value cannot be null.\r\nParameter name: userEntitlement",
        )
    })?;
    let principal = request
        .pointer("/user/principalName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let license = request
        .pointer("/accessLevel/accountLicenseType")
        .and_then(Value::as_str)
        .unwrap_or("express")
        .to_string();

    if !is_valid_email(&principal) {
        return Ok(add_failure(
            5001,
            format!("The principal name '{principal}' is not a valid e-mail address."),
        ));
    }
    if license_display_name(&license).is_none() {
        return Ok(add_failure(
            5002,
            format!("The license type '{license}' is not valid."),
        ));
    }
    let org_tenant = world.orgs[index].tenant.clone();
    if let Some(tenant) = org_tenant.as_deref().and_then(|t| world.tenant_by_id(t)) {
        let domain = principal.rsplit('@').next().unwrap_or_default();
        let in_directory = tenant.domains.iter().any(|d| d == domain)
            || world.is_tenant_member(tenant, &principal)
            || world.is_tenant_guest(tenant, &principal);
        if !in_directory {
            return Ok(add_failure(
                5041,
                format!(
                    "The user '{principal}' is not in the directory '{}' that organization '{}' is connected \
                     to. Invite the user to the directory as a guest first.",
                    tenant.display_name, world.orgs[index].name
                ),
            ));
        }
    }

    if world.user(&principal).is_none() {
        let kind = if org_tenant.is_some() {
            UserKind::Aad
        } else {
            UserKind::Msa
        };
        world.users.push(UserSpec {
            id: uuid::Uuid::new_v4().to_string(),
            display_name: principal.clone(),
            email: principal.clone(),
            kind,
            conditional_access_blocks_device_code: false,
        });
        if let Some(tenant_id) = &org_tenant {
            if let Some(tenant) = world.tenants.iter_mut().find(|t| &t.id == tenant_id) {
                tenant.members.push(principal.clone());
            }
        }
    }
    let now = world.utc_now();
    let organization = &mut world.orgs[index];
    if organization.member(&principal).is_none() {
        organization.members.push(Member {
            email: principal.clone(),
            license,
            pca: false,
            status: "pending".to_string(),
            last_accessed: None,
            date_created: now,
        });
    }
    let organization = &world.orgs[index];
    let member = organization.member(&principal).expect("just added");
    let entitlement = entitlement_json(&shared.base_url, &world, organization, member);
    let body = json!({
        "isSuccess": true,
        "userEntitlement": entitlement,
        "operationResult": {
            "isSuccess": true,
            "errors": [],
            "userId": entitlement["id"],
            "result": entitlement,
        },
    });
    Ok(json_response(StatusCode::OK, &body))
}

// ------------------------------------------------------------------ personal access tokens

fn pat_json(pat: &PersonalAccessToken, with_token: bool) -> Value {
    json!({
        "displayName": pat.display_name,
        "validTo": format_date(pat.valid_to),
        "scope": pat.scope,
        "targetAccounts": pat.target_accounts,
        "validFrom": format_date(pat.valid_from),
        "authorizationId": pat.authorization_id,
        "token": if with_token { Value::String(pat.token.clone()) } else { Value::Null },
    })
}

fn pat_error(error: &str) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"patToken": null, "patTokenError": error}),
    )
}

/// The tokens API takes an Entra token only, on an organization connected to a directory
/// (reference §2.9).
fn authorize_pat_api(
    world: &mut World,
    method: &Method,
    headers: &HeaderMap,
    org: &str,
) -> Result<(usize, String), Response> {
    world.org_index(org).ok_or_else(|| org_not_found(org))?;
    let caller = require_caller(world, method, headers)?;
    if let Caller::Pat { email, .. } = &caller {
        let id = world.user(email).map(|u| u.id.clone()).unwrap_or_default();
        return Err(tf400813(&id));
    }
    let index = authorize_org(world, &caller, org)?;
    Ok((index, caller.email().to_string()))
}

async fn create_pat(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(query): QueryMap,
    body: Bytes,
) -> Outcome {
    let mut world = shared.world();
    check_preview_version(&query)?;
    let (index, owner) = authorize_pat_api(&mut world, &method, &headers, &org)?;
    let Some(tenant_id) = world.orgs[index].tenant.clone() else {
        return Ok(pat_error("accessDenied"));
    };
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let display_name = request
        .get("displayName")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim();
    let scope = request
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim();
    let all_orgs = request
        .get("allOrgs")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let now = world.utc_now();
    let valid_to = match request.get("validTo").and_then(Value::as_str) {
        None => now + chrono::Duration::days(30),
        Some(text) => match DateTime::parse_from_rfc3339(text) {
            Ok(date) if date.with_timezone(&Utc) > now => date.with_timezone(&Utc),
            _ => return Ok(pat_error("invalidValidTo")),
        },
    };
    if display_name.is_empty() {
        return Ok(pat_error("displayNameRequired"));
    }
    if scope.is_empty() {
        return Ok(pat_error("invalidScope"));
    }
    let policy = world
        .tenant_by_id(&tenant_id)
        .map(|t| t.pat_policy.clone())
        .unwrap_or_default();
    if policy.block_full_scope && scope.split_whitespace().any(|s| s == "app_token") {
        return Ok(pat_error("fullScopePatPolicyViolation"));
    }
    if policy.block_global && all_orgs {
        return Ok(pat_error("globalPatPolicyViolation"));
    }
    if let Some(days) = policy.max_lifespan_days {
        if valid_to > now + chrono::Duration::days(i64::from(days)) {
            return Ok(pat_error("patLifespanPolicyViolation"));
        }
    }
    let pat = PersonalAccessToken {
        authorization_id: uuid::Uuid::new_v4().to_string(),
        display_name: display_name.to_string(),
        scope: scope.to_string(),
        valid_from: now,
        valid_to,
        target_accounts: (!all_orgs).then(|| vec![world.orgs[index].id.clone()]),
        token: random_string(52).to_ascii_lowercase(),
        owner,
        org: world.orgs[index].name.clone(),
        revoked: false,
    };
    let body = json!({"patToken": pat_json(&pat, true), "patTokenError": "none"});
    world.pats.push(pat);
    Ok(json_response(StatusCode::OK, &body))
}

async fn get_pats(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(query): QueryMap,
) -> Outcome {
    let mut world = shared.world();
    check_preview_version(&query)?;
    let (index, owner) = authorize_pat_api(&mut world, &method, &headers, &org)?;
    let org_name = world.orgs[index].name.clone();
    let mine = world.pats.iter().filter(|p| {
        !p.revoked && p.owner == owner && (p.org == org_name || p.target_accounts.is_none())
    });
    if let Some(id) = query.get("authorizationId") {
        return Ok(
            match mine
                .clone()
                .find(|p| p.authorization_id.eq_ignore_ascii_case(id))
            {
                Some(pat) => json_response(
                    StatusCode::OK,
                    &json!({"patToken": pat_json(pat, false), "patTokenError": "none"}),
                ),
                None => pat_error("authorizationNotFound"),
            },
        );
    }
    let tokens: Vec<Value> = mine.map(|p| pat_json(p, false)).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({"continuationToken": "", "patTokens": tokens}),
    ))
}

async fn revoke_pat(
    State(shared): SimState,
    method: Method,
    headers: HeaderMap,
    Path(org): Path<String>,
    Query(query): QueryMap,
) -> Outcome {
    let mut world = shared.world();
    check_preview_version(&query)?;
    let (_, owner) = authorize_pat_api(&mut world, &method, &headers, &org)?;
    let id = query.get("authorizationId").cloned().unwrap_or_default();
    match world
        .pats
        .iter_mut()
        .find(|p| !p.revoked && p.owner == owner && p.authorization_id.eq_ignore_ascii_case(&id))
    {
        Some(pat) => {
            pat.revoked = true;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        None => Err(ado_error(
            StatusCode::NOT_FOUND,
            "SessionTokenNotFoundException",
            &format!("The personal access token with authorization id '{id}' was not found."),
        )),
    }
}
