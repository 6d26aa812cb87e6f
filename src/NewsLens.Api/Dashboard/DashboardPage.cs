using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace NewsLens.Api.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: a page of static files (<c>wwwroot/dashboard</c>: HTML, a stylesheet, JavaScript modules, no
/// build step) that reads the public API as any browser client would, with no key. It is not an endpoint, so it stays
/// out of the OpenAPI document; every answer under /dashboard carries a policy that allows only the service's own
/// scripts, styles, images and API.
/// </summary>
public static class DashboardPage
{
    public const string Path = "/dashboard";

    /// <summary>No inline script or style, nothing from another origin, no plugins, no framing, no base-URL games.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseDashboard(this WebApplication app)
    {
        var folder = System.IO.Path.Combine(app.Environment.ContentRootPath, "wwwroot", "dashboard");
        if (!Directory.Exists(folder))
        {
            // A build run from its bin folder has no wwwroot (publish and dotnet run have); the API works without the page.
            app.Logger.LogWarning("No dashboard files at {Folder}; /dashboard is not served.", folder);
            return app;
        }

        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), dashboard => dashboard.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // The page is one document whose routes live in the fragment (#/stories/1); its address has no file name.
            if (context.Request.Path.Value is Path or Path + "/")
            {
                context.Request.Path = Path + "/index.html";
            }

            return next(context);
        }));
        // ETag and Last-Modified from the files; Cache-Control stays no-cache (UseNoCacheByDefault), so a browser
        // revalidates and a changed file is picked up at once, without hashed file names.
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".html"] = "text/html; charset=utf-8";
        types.Mappings[".js"] = "text/javascript; charset=utf-8";
        types.Mappings[".css"] = "text/css; charset=utf-8";
        app.UseStaticFiles(new StaticFileOptions { RequestPath = Path, FileProvider = new PhysicalFileProvider(folder), ContentTypeProvider = types });
        return app;
    }
}
