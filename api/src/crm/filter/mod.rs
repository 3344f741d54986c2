//! The contact filter language shared by `GET /v1/contacts`, segments, exports and bulk
//! operations (being built for issue 5).
