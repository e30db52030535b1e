//! The main window.

use tauri::{AppHandle, Manager, Runtime};

/// Shows, unminimizes and focuses the main window.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// On a machine without a GPU render node (a VM, a remote session, Xvfb),
/// WebKit's accelerated compositing runs on software GL: it buys nothing and
/// costs about 100 MB. There the WebView composites without it. A user's
/// own `WEBKIT_DISABLE_COMPOSITING_MODE` setting wins, and
/// `COFFER_WEBKIT_COMPOSITING=1` keeps compositing on: WebKitWebDriver's
/// screenshots (the end-to-end tests) need it.
pub fn tune_webview<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let has_gpu = std::path::Path::new("/dev/dri").exists();
        let keep = std::env::var_os("COFFER_WEBKIT_COMPOSITING").is_some_and(|v| v == "1")
            || std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some();
        if has_gpu || keep {
            return;
        }
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// Coffer shows one local page and never browses, so the caches that WebKit
/// sizes for a browser by default (memory cache of pages and resources, the
/// back/forward page cache) only hold memory. `DocumentViewer` is WebKit's
/// smallest model: no page cache and a small resource cache (see
/// docs/benchmarks.md for what it saves).
pub fn trim_webview_caches<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// The window's background in each palette (the UI's `--bg`), painted
/// before the page and behind it.
const LIGHT_BACKGROUND: tauri::window::Color = tauri::window::Color(0xf5, 0xf6, 0xf8, 0xff);
const DARK_BACKGROUND: tauri::window::Color = tauri::window::Color(0x0f, 0x14, 0x1b, 0xff);

/// Whether the page has had the window shown (or the fallback did).
static SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Matches the native frame (title bar) and the window's background to the
/// page's palette; the first call shows the window, which starts hidden so
/// that no white frame shows before a dark page.
pub fn apply_theme<R: Runtime>(window: &tauri::WebviewWindow<R>, dark: bool) {
    let theme = if dark {
        tauri::Theme::Dark
    } else {
        tauri::Theme::Light
    };
    let _ = window.set_theme(Some(theme));
    let _ = window.set_background_color(Some(if dark {
        DARK_BACKGROUND
    } else {
        LIGHT_BACKGROUND
    }));
    if !SHOWN.swap(true, std::sync::atomic::Ordering::SeqCst) {
        let _ = window.show();
    }
}

/// The window starts hidden and the page shows it once its palette is
/// applied ([`apply_theme`]); if the page never does (it failed to load),
/// the window is shown anyway after a few seconds.
pub fn show_if_page_is_silent<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(4));
        if !SHOWN.swap(true, std::sync::atomic::Ordering::SeqCst) {
            show_main(&app);
        }
    });
}
