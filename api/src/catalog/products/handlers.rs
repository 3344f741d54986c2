//! HTTP handlers for products. Reading needs `products:read`; creating, changing and deleting
//! need `products:write`.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::{
    dto::{ProductIn, ProductList, ProductListParams, ProductOut, ProductPatchIn},
    service,
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::{ValidatedJson, ValidatedQuery},
        ids::ProductId,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Products, Access::Read);
const WRITE: Scope = Scope::new(Resource::Products, Access::Write);

/// Create a product
///
/// Adds a product to the catalogue. The SKU is unique in the organisation regardless of case
/// (`abc-1` and `ABC-1` are the same SKU): a taken SKU is a 409 `sku_taken` naming `sku`. The
/// price is an integer amount in minor units with an active ISO 4217 currency; `custom_fields`
/// are checked against the organisation's `product` field definitions. Needs `products:write`.
#[utoipa::path(
    operation_id = "create_product",
    tag = "products",
    security(("bearer" = [])),
    request_body = ProductIn,
    responses(
        (status = 201, description = "The product.", body = ProductOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/products")]
pub async fn create_product(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<ProductIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    Ok(HttpResponse::Created().json(service::create(&state, &ctx, body.0).await?))
}

/// List products
///
/// Lists the catalogue in creation order with cursor pagination. Filters combine with AND:
/// `active`, `q` (name or SKU prefix, case-insensitive), `currency` and `sku` (exact,
/// case-insensitive). Needs `products:read`.
#[utoipa::path(
    operation_id = "list_products",
    tag = "products",
    security(("bearer" = [])),
    params(ProductListParams),
    responses(
        (status = 200, description = "A page of products.", body = ProductList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/products")]
pub async fn list_products(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ProductListParams>,
) -> ApiResult<web::Json<ProductList>> {
    ctx.require(READ)?;
    Ok(web::Json(service::list(&state, &ctx, &query).await?))
}

/// Get a product
///
/// Returns one product of the organisation; a product of another organisation answers 404.
/// Needs `products:read`.
#[utoipa::path(
    operation_id = "get_product",
    tag = "products",
    security(("bearer" = [])),
    params(("id" = ProductId, Path, description = "The product's id (`prod_…`).")),
    responses(
        (status = 200, description = "The product.", body = ProductOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/products/{id}")]
pub async fn get_product(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ProductId>,
) -> ApiResult<web::Json<ProductOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state, &ctx, id.into_inner()).await?))
}

/// Update a product
///
/// Changes the fields sent and leaves the others: `description: null` clears the description;
/// `name`, `sku`, `price` and `active` cannot be null. In `custom_fields` each key sent is set
/// (a `null` value removes it) and `custom_fields: null` removes them all. A new SKU taken by
/// another product (regardless of case) is a 409 `sku_taken`. Needs `products:write`.
#[utoipa::path(
    operation_id = "update_product",
    tag = "products",
    security(("bearer" = [])),
    params(("id" = ProductId, Path, description = "The product's id (`prod_…`).")),
    request_body = ProductPatchIn,
    responses(
        (status = 200, description = "The updated product.", body = ProductOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[patch("/products/{id}")]
pub async fn update_product(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ProductId>,
    body: ValidatedJson<ProductPatchIn>,
) -> ApiResult<web::Json<ProductOut>> {
    ctx.require(WRITE)?;
    Ok(web::Json(service::update(&state, &ctx, id.into_inner(), body.0).await?))
}

/// Delete a product
///
/// Removes the product from the catalogue. Its SKU becomes free again. Needs `products:write`.
#[utoipa::path(
    operation_id = "delete_product",
    tag = "products",
    security(("bearer" = [])),
    params(("id" = ProductId, Path, description = "The product's id (`prod_…`).")),
    responses(
        (status = 204, description = "The product is deleted."),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[delete("/products/{id}")]
pub async fn delete_product(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<ProductId>,
) -> ApiResult<HttpResponse> {
    ctx.require(WRITE)?;
    service::delete(&state, &ctx, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}
