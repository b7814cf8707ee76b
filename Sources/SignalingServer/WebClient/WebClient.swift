/// The browser client `tuicall serve` offers at http://host:port/ (chat, user list, calls).
/// SwiftPM embeds the files in the binary (`.embedInCode` resources), so no bundle is needed at run time.
public enum WebClient {
    /// URL path -> file, ready for `SignalingServerConfiguration.staticFiles`.
    public static var staticFiles: [String: StaticFile] {
        [
            "/": StaticFile(contentType: "text/html; charset=utf-8", body: PackageResources.index_html),
            "/app.js": StaticFile(contentType: "text/javascript; charset=utf-8", body: PackageResources.app_js),
            "/call.js": StaticFile(contentType: "text/javascript; charset=utf-8", body: PackageResources.call_js),
            "/restart.js": StaticFile(contentType: "text/javascript; charset=utf-8", body: PackageResources.restart_js),
            "/stats.js": StaticFile(contentType: "text/javascript; charset=utf-8", body: PackageResources.stats_js),
            "/style.css": StaticFile(contentType: "text/css; charset=utf-8", body: PackageResources.style_css),
        ]
    }
}
