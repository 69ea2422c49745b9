//! Refusals of the management routes, as JSON (`/api/v1/manage/…`, the shape of every
//! API error) or as a bilingual HTML page (`/manage…`).

use super::page;
use axum::http::header::{CACHE_CONTROL, LOCATION, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Why a management request was refused. Messages are in English with the Vietnamese
/// first on HTML pages.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    /// The server runs without `--data-dir`: there is nothing to manage.
    #[error("the management routes need a server started with --data-dir")]
    NoStore,
    /// No session and no API token, or an expired or revoked one (401).
    #[error("sign in first: a session cookie from /manage/login or `Authorization: Bearer <api token>`")]
    Unauthenticated,
    #[error("{0}")]
    BadToken(String),
    /// Signed in, but the role or provinces do not allow it (403).
    #[error("{0}")]
    Forbidden(String),
    /// A state-changing request with a session cookie and no matching CSRF token (403).
    #[error("missing or wrong CSRF token: send the session's token in the form field `csrf` or the header X-CSRF-Token")]
    Csrf,
    #[error("{message}")]
    BadRequest { field: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Too many failed logins; retry after this many seconds (429).
    #[error("too many failed logins; try again in {0} s")]
    TooMany(u64),
    #[error("{0}")]
    Internal(String),
}

impl ManageError {
    pub fn status(&self) -> StatusCode {
        match self {
            ManageError::NoStore | ManageError::NotFound(_) => StatusCode::NOT_FOUND,
            ManageError::Unauthenticated | ManageError::BadToken(_) => StatusCode::UNAUTHORIZED,
            ManageError::Forbidden(_) | ManageError::Csrf => StatusCode::FORBIDDEN,
            ManageError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ManageError::Conflict(_) => StatusCode::CONFLICT,
            ManageError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            ManageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The Vietnamese line shown above the English message on HTML pages.
    fn vietnamese(&self) -> &'static str {
        match self {
            ManageError::NoStore => "Máy chủ chạy không có --data-dir: không có gì để quản lý.",
            ManageError::Unauthenticated | ManageError::BadToken(_) => "Hãy đăng nhập trước.",
            ManageError::Forbidden(_) => "Tài khoản của bạn không có quyền làm việc này.",
            ManageError::Csrf => "Biểu mẫu đã hết hạn hoặc không hợp lệ; hãy tải lại trang rồi thử lại.",
            ManageError::BadRequest { .. } => "Dữ liệu gửi lên chưa đúng.",
            ManageError::NotFound(_) => "Không tìm thấy.",
            ManageError::Conflict(_) => "Xung đột với dữ liệu hiện có.",
            ManageError::TooMany(_) => "Đăng nhập sai quá nhiều lần; hãy thử lại sau.",
            ManageError::Internal(_) => "Lỗi máy chủ.",
        }
    }

    /// The refusal as an HTML page (for `/manage…`).
    pub fn html(self) -> Response {
        let status = self.status();
        let body = page::layout(
            "Lỗi / Error",
            None,
            &format!(
                "<h1>{} <span class=\"en\">{}</span></h1>\n<p>{}</p>\n<p lang=\"en\" class=\"en\">{}</p>\n<p><a href=\"/manage\">Trang quản lý</a> · <a href=\"/manage/login\">Đăng nhập <span class=\"en\">Sign in</span></a></p>",
                status.as_u16(),
                page::escape(status.canonical_reason().unwrap_or("")),
                page::escape(self.vietnamese()),
                page::escape(&self.to_string()),
            ),
        );
        let mut response = (status, body).into_response();
        self.add_headers(&mut response);
        response
    }

    fn add_headers(&self, response: &mut Response) {
        let headers = response.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self {
            ManageError::Unauthenticated | ManageError::BadToken(_) => {
                headers.insert(WWW_AUTHENTICATE, HeaderValue::from_static(r#"Bearer realm="bando manage""#));
            }
            ManageError::TooMany(secs) => {
                headers.insert(RETRY_AFTER, HeaderValue::from(*secs));
            }
            _ => {}
        }
    }
}

impl IntoResponse for ManageError {
    /// The JSON form (`{"error": {"status", "message", "parameter"?}}`).
    fn into_response(self) -> Response {
        let status = self.status();
        let mut error = json!({"status": status.as_u16(), "message": self.to_string()});
        if let ManageError::BadRequest { field, .. } = &self {
            error["parameter"] = json!(field);
        }
        let mut response = (status, Json(json!({"error": error}))).into_response();
        self.add_headers(&mut response);
        response
    }
}

impl From<crate::store::StoreError> for ManageError {
    fn from(e: crate::store::StoreError) -> Self {
        tracing::error!("management store: {e}");
        ManageError::Internal("the management database failed; see the server log".into())
    }
}

impl From<crate::store::AccountError> for ManageError {
    fn from(e: crate::store::AccountError) -> Self {
        use crate::store::AccountError;
        match e {
            AccountError::Store(e) => e.into(),
            AccountError::Invalid { field, message } => ManageError::BadRequest { field, message },
            AccountError::Exists(_) => ManageError::Conflict(e.to_string()),
            AccountError::Unknown(_) => ManageError::NotFound(e.to_string()),
            AccountError::Hash(m) => ManageError::Internal(format!("password hash: {m}")),
        }
    }
}

impl From<crate::store::TokenError> for ManageError {
    fn from(e: crate::store::TokenError) -> Self {
        use crate::store::TokenError;
        match e {
            TokenError::Store(e) => e.into(),
            TokenError::Name => ManageError::BadRequest { field: "name", message: e.to_string() },
            TokenError::Unknown(_) => ManageError::NotFound(e.to_string()),
        }
    }
}

/// A `303 See Other` to `location` (after a form post, or to the login page).
pub fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(LOCATION, HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/manage")));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
