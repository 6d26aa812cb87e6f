using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;

namespace NewsLens.Api.Http;

public sealed class CorsSettings
{
    public const string Section = "Cors";

    /// <summary>Origins (scheme://host[:port]) whose browser pages may call the API; none by default.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>What browser frontends need: CORS for configured origins, and compressed JSON.</summary>
public static class Frontends
{
    public static WebApplicationBuilder AddBrowserSupport(this WebApplicationBuilder builder)
    {
        builder.Services.AddCors();
        // Read when the options are first used, so configuration from every source (tests included) applies.
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IConfiguration>((options, configuration) =>
            options.AddDefaultPolicy(policy => policy
            .WithOrigins(configuration.GetSection(CorsSettings.Section).Get<CorsSettings>()?.AllowedOrigins ?? [])
            .WithMethods(HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete)
            .AllowAnyHeader()
            // Scripts may read these answers' headers: ETag and Last-Modified for revalidation and If-Match, Location after a create.
            .WithExposedHeaders("ETag", "Last-Modified", "Location")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));

        builder.Services.AddResponseCompression(options =>
        {
            // Answers hold only public data and never echo secrets, so compressing over HTTPS is safe here.
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = ["application/json", "application/problem+json", SvgImage.MediaType];
        });
        builder.Services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        builder.Services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        return builder;
    }
}
