//! Signing in and out of the management pages.
//!
//! `GET /manage/login` shows the form with a fresh login CSRF token, sent twice: in a
//! short-lived `bando_login_csrf` cookie (HttpOnly, SameSite=Strict, path
//! `/manage/login`) and in the form's hidden `csrf` field (double submit: another site
//! can make a browser post the form, but cannot read or set the cookie to match).
//!
//! `POST /manage/login` steps: 1. the field must equal the cookie (else 403 and a new
//! form); 2. the rate limit for the name typed and the client's address (429 with
//! `Retry-After`); 3. the password check, on the blocking pool (argon2 takes tens of
//! milliseconds); 4. on failure: count it, log it (tracing and the authentication log,
//! with the reason, never the password) and answer 401 with the form; 5. on success:
//! open a session, set `bando_session` (HttpOnly, SameSite=Strict, Path=/, `Secure` when
//! the client came over HTTPS) and redirect to `/manage`.
//!
//! `POST /manage/logout` (a signed-in form, so its CSRF token was checked by the
//! middleware) ends the session, clears the cookie and redirects to the login form.

use super::auth::{cookie, Client, Editor, Via, SESSION_COOKIE};
use super::error::{see_other, ManageError};
use super::page::{escape, layout};
use crate::api::AppState;
use crate::store::{sessions, AuthEvent, AuthEventKind, Origin, Password, Secret};
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;

/// The pre-session cookie of the login form.
pub const LOGIN_CSRF_COOKIE: &str = "bando_login_csrf";

/// The fields of the login form.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

impl std::fmt::Debug for LoginForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginForm").field("username", &self.username).finish_non_exhaustive()
    }
}

/// A `Set-Cookie` value with the attributes every bando cookie has.
fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, https: bool) -> HeaderValue {
    let secure = if https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age}{secure}"))
        .expect("cookie values are URL-safe base64")
}

/// The login page with `message` (Vietnamese, English) above the form, a new login
/// CSRF token in the form and its cookie.
fn login_page(status: StatusCode, message: Option<(&str, &str)>, username: &str, client: &Client) -> Response {
    let csrf = Secret::random("");
    let notice = message.map_or(String::new(), |(vi, en)| format!("<p class=\"error\" role=\"alert\">{} <span class=\"en\">{}</span></p>\n", escape(vi), escape(en)));
    let main = format!(
        "<h1>Đăng nhập <span class=\"en\">Sign in</span></h1>\n{notice}<form method=\"post\" action=\"/manage/login\" class=\"login\">\n<input type=\"hidden\" name=\"csrf\" value=\"{}\">\n<label>Tên đăng nhập <span class=\"en\">Username</span> <input type=\"text\" name=\"username\" value=\"{}\" autocomplete=\"username\" required autofocus></label>\n<label>Mật khẩu <span class=\"en\">Password</span> <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\n<button type=\"submit\">Đăng nhập <span class=\"en\">Sign in</span></button>\n</form>\n<p class=\"en\">Tài khoản do Văn phòng Điều phối NTM Trung ương cấp. Accounts are issued by the central NTM coordination office.</p>",
        escape(csrf.expose()),
        escape(username),
    );
    let mut response = layout("Đăng nhập", None, &main);
    *response.status_mut() = status;
    response.headers_mut().append(SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, csrf.expose(), "/manage/login", 3600, client.https));
    response
}

/// `GET /manage/login`.
pub async fn form(client: Client) -> Response {
    login_page(StatusCode::OK, None, "", &client)
}

/// `POST /manage/login` (steps of the module doc).
pub async fn login(State(state): State<AppState>, client: Client, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    let Some(store) = state.store.clone() else { return ManageError::NoStore.html() };
    let username = form.username.trim().to_string();
    // 1. Double-submit CSRF check.
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).map(Secret::from_text);
    if !expected.is_some_and(|e| !form.csrf.is_empty() && e.matches(&form.csrf)) {
        tracing::warn!(username = %username, client = %client.address, "login refused: missing or wrong login CSRF token");
        return login_page(StatusCode::FORBIDDEN, Some(("Biểu mẫu đã hết hạn; hãy đăng nhập lại.", "The form expired; sign in again.")), &username, &client);
    }
    // 2. Rate limit.
    if let Err(wait) = state.manage.limiter.check(&username, &client.address) {
        let secs = wait.as_secs().max(1);
        tracing::warn!(username = %username, client = %client.address, retry_after_secs = secs, "login refused: too many failures");
        let origin = Origin { actor: None, client: &client.address };
        let event = AuthEvent { kind: AuthEventKind::LoginThrottled, username: &username, origin, detail: Some(format!("retry after {secs} s")) };
        if let Err(e) = store.log_auth(&event) {
            tracing::error!("authentication log: {e}");
        }
        let minutes = secs.div_ceil(60);
        let mut response = login_page(
            StatusCode::TOO_MANY_REQUESTS,
            Some((&format!("Đăng nhập sai quá nhiều lần; hãy thử lại sau {minutes} phút."), &format!("Too many failed sign-ins; try again in {minutes} min."))),
            &username,
            &client,
        );
        response.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        return response;
    }
    // 3. Password check.
    let password = Password::offered(form.password);
    let (check_store, name) = (store.clone(), username.clone());
    let checked = tokio::task::spawn_blocking(move || check_store.check_login(&name, &password)).await;
    let account = match checked {
        Ok(Ok(Ok(account))) => account,
        Ok(Ok(Err(refusal))) => {
            // 4. Failure.
            state.manage.limiter.failed(&username, &client.address);
            tracing::warn!(username = %username, client = %client.address, reason = refusal.as_str(), "login failed");
            let origin = Origin { actor: None, client: &client.address };
            let event = AuthEvent { kind: AuthEventKind::LoginFailed, username: &username, origin, detail: Some(refusal.as_str().into()) };
            if let Err(e) = store.log_auth(&event) {
                tracing::error!("authentication log: {e}");
            }
            return login_page(StatusCode::UNAUTHORIZED, Some(("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.")), &username, &client);
        }
        Ok(Err(e)) => return ManageError::from(e).html(),
        Err(e) => return ManageError::Internal(e.to_string()).html(),
    };
    // 5. Success.
    state.manage.limiter.succeeded(&username);
    let (session_store, session_account, address) = (store.clone(), account.clone(), client.address.clone());
    let session = match tokio::task::spawn_blocking(move || session_store.create_session(&session_account, &address)).await {
        Ok(Ok(session)) => session,
        Ok(Err(e)) => return ManageError::from(e).html(),
        Err(e) => return ManageError::Internal(e.to_string()).html(),
    };
    tracing::info!(username = %account.username, role = %account.role, client = %client.address, "login");
    let mut response = see_other("/manage");
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, set_cookie(SESSION_COOKIE, session.secret.expose(), "/", sessions::ABSOLUTE_SECS, client.https));
    headers.append(SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", "/manage/login", 0, client.https));
    response
}

/// `POST /manage/logout`.
pub async fn logout(State(state): State<AppState>, client: Client, editor: Editor, headers: HeaderMap) -> Response {
    let Some(store) = state.store.clone() else { return ManageError::NoStore.html() };
    if let (Via::Session { .. }, Some(cookie)) = (&editor.via, cookie(&headers, SESSION_COOKIE)) {
        let (offered, address) = (Secret::from_text(cookie), client.address.clone());
        match tokio::task::spawn_blocking(move || store.end_session(&offered, &address)).await {
            Ok(Ok(_)) => tracing::info!(username = %editor.username, client = %client.address, "logout"),
            Ok(Err(e)) => return ManageError::from(e).html(),
            Err(e) => return ManageError::Internal(e.to_string()).html(),
        }
    }
    let mut response = see_other("/manage/login");
    response.headers_mut().append(SET_COOKIE, set_cookie(SESSION_COOKIE, "", "/", 0, client.https));
    response.into_response()
}
