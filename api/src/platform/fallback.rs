//! The default service: an unknown path is a 404 problem; a known path with a method it does not
//! support is a 405 problem with `Allow`. Known paths come from the OpenAPI document, which is
//! generated from the same registrations as the router, so the two cannot drift.

use actix_web::{HttpRequest, HttpResponse, dev::ResourceDef, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// The documented paths and their methods.
pub struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    pub fn from_spec(spec: &OpenApi) -> Self {
        let routes = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<String> = [
                    ("DELETE", &item.delete),
                    ("GET", &item.get),
                    ("PATCH", &item.patch),
                    ("POST", &item.post),
                    ("PUT", &item.put),
                ]
                .into_iter()
                .filter(|(_, op)| op.is_some())
                .map(|(m, _)| m.to_owned())
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    /// The methods of a documented path without parameters that equals `path` exactly. A
    /// templated route can swallow such a path (`DELETE /v1/invitations/accept` matches
    /// `DELETE /v1/invitations/{id}`); its id extractor asks this to answer 405, not 400.
    pub fn static_methods(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(def, _)| !def.pattern().unwrap_or("{").contains('{') && def.is_match(path))
            .map(|(_, m)| m.as_slice())
    }

    fn allowed(&self, path: &str) -> Option<&[String]> {
        self.0.iter().find(|(def, _)| def.is_match(path)).map(|(_, m)| m.as_slice())
    }
}

/// Answers requests no route matched.
pub async fn default_service(req: HttpRequest, table: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    // A documented path reaches this service only when its method did not match.
    match table.allowed(req.path()) {
        Some(methods) => Err(ApiError::MethodNotAllowed { allow: methods.to_vec() }),
        None => Err(ApiError::NotFound { detail: format!("No route matches {} {}.", req.method(), req.path()) }),
    }
}
