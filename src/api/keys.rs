//! API key management (admin only): create, list, revoke. Every change is audited.

use crate::api::extract::{Json, Path};
use crate::api::idempotency;
use crate::api::openapi as oa;
use crate::auth::{Perm, Principal};
use crate::domain::Role;
use crate::error::{Error, ProblemItem, Result};
use crate::store::{audit, keys, write_tx, Store};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateKey {
    /// A name people recognise, e.g. "SAP Ariba connector".
    #[validate(length(min = 1, max = 100), non_control_character)]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// `admin`, `procurement`, `auditor` or `integration`.
    #[schema(value_type = Role)]
    pub role: String,
}

/// A key as listed: never the plain key.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    pub id: String,
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When the key was revoked (null while it is active).
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

/// A key just created: the plain key is in `key`, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedKey {
    pub id: String,
    pub name: String,
    #[schema(value_type = Role)]
    pub role: String,
    /// The plain key, `mnm_` and 40 characters. Shown only in the first response: absent from
    /// an idempotent replay (`Idempotent-Replayed: true`), which never holds the plain key.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = "^mnm_[A-Za-z0-9]{32,128}$", nullable = false)]
    pub key: Option<String>,
    /// The first characters of the key, as `GET /keys` lists them, to tell keys apart.
    pub prefix: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

pub fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn view(k: &keys::ApiKeyRow) -> KeyView {
    KeyView {
        id: k.id.clone(),
        name: k.name.clone(),
        role: k.role.clone(),
        prefix: format!("mnm_{}", k.key_prefix),
        created_at: rfc3339(k.created_at),
        revoked_at: k.revoked_at.map(rfc3339),
    }
}

/// Creates a key in the caller's organisation.
///
/// The plain key is in this response only (sent with `Cache-Control: no-store`). With an
/// `Idempotency-Key`, a retry gets the key's `id`, `name`, `role`, `prefix` and `created_at`
/// (`Idempotent-Replayed: true`) but never the plain key again: it is not stored for replay. A
/// client that lost the first response revokes that key and creates a new one.
#[utoipa::path(tag = "keys", request_body = CreateKey, security(("bearer" = [])), params(oa::IdempotencyKey),
    responses(
        (status = 201, description = "The key; the plain key is in `key`, shown this once: an idempotent replay \
            has the same fields without `key`", body = CreatedKey),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[post("/keys")]
pub async fn create_key(
    p: Principal,
    req: HttpRequest,
    store: web::Data<Store>,
    body: Json<CreateKey>,
) -> Result<HttpResponse> {
    p.require(Perm::ManageKeys)?;
    body.validate()?;
    let role = Role::from_id(&body.role).ok_or_else(|| {
        Error::invalid(
            "validation_failed",
            "The request body has invalid fields; see `errors`.",
            vec![ProblemItem::field(
                "role",
                "unknown_role",
                "`role` must be one of admin, procurement, auditor, integration",
            )],
        )
    })?;
    let name = body.name.trim().to_string();
    let hash = idempotency::request_hash(&req, json!({"name": name, "role": role.as_str()}).to_string().as_bytes());
    // The response holds the plain key: its replay is recorded without it.
    idempotency::run(&store, &p.clone(), &req, hash, move |c, token| {
        let ev = p.event("key.create", None, json!({"name": name, "role": role.as_str()}));
        write_tx(c, |c| {
            let (row, plain) = keys::create_key(c, &p.org_id, &name, role, ev)?;
            let mut created = CreatedKey {
                id: row.id,
                name: row.name,
                role: row.role,
                key: None,
                prefix: format!("mnm_{}", row.key_prefix),
                created_at: rfc3339(row.created_at),
            };
            let replay = serde_json::to_value(&created).map_err(Error::internal)?;
            created.key = Some(plain);
            let body = serde_json::to_value(created).map_err(Error::internal)?;
            idempotency::record_without_secret(c, token, 201, body, replay)
        })
    })
    .await
}

/// Lists the organisation's keys (revoked ones included, marked).
#[utoipa::path(tag = "keys", security(("bearer" = [])), responses(
    (status = 200, description = "The organisation's keys, never the plain key", body = Vec<KeyView>),
    (status = 403, response = oa::Forbidden),
))]
#[get("/keys")]
pub async fn list_keys(p: Principal, store: web::Data<Store>) -> Result<HttpResponse> {
    p.require(Perm::ManageKeys)?;
    let rows = store.run(move |c| keys::list_keys(c, &p.org_id)).await?;
    Ok(HttpResponse::Ok().json(rows.iter().map(view).collect::<Vec<_>>()))
}

/// Revokes a key: from then on it gets 401. A key already revoked is 404; the organisation's
/// last active admin key cannot be revoked (409 `last_admin_key`).
#[utoipa::path(tag = "keys", security(("bearer" = [])), params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked: the key gets 401 from now on"),
        (status = 403, response = oa::Forbidden),
        (status = 404, description = "No such active key in the caller's organisation (`not_found`): \
            unknown, of another organisation, or already revoked", body = crate::error::Problem,
            content_type = "application/problem+json"),
        (status = 409, description = "`last_admin_key`: the organisation's last active admin key cannot \
            be revoked; create another admin key first", body = crate::error::Problem,
            content_type = "application/problem+json"),
    ))]
#[delete("/keys/{id}")]
pub async fn revoke_key(
    p: Principal,
    store: web::Data<Store>,
    cache: Option<web::Data<crate::auth::KeyCache>>,
    id: Path<String>,
) -> Result<HttpResponse> {
    p.require(Perm::ManageKeys)?;
    let id = id.into_inner();
    store
        .run(move |c| {
            write_tx(c, |c| {
                let k = keys::revoke_key(c, &p.org_id, &id)?;
                audit::record(c, p.event("key.revoke", Some(k.id.clone()), json!({"name": k.name, "role": k.role})))
            })
        })
        .await?;
    if let Some(c) = cache {
        c.clear();
    }
    Ok(HttpResponse::NoContent().finish())
}
