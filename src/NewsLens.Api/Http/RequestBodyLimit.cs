using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Http;

/// <summary>Marks an endpoint that takes bodies up to <paramref name="bytes"/>, by default <see cref="ImportSettings.MaxBodyBytes"/>.</summary>
public sealed class LargeBodyMetadata(long? bytes = null)
{
    public long? Bytes => bytes;
}

public static class RequestLimits
{
    /// <summary>The largest request body the v1 endpoints read (1 MiB), bulk imports aside.</summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>The body limit of the endpoint the request was routed to.</summary>
    public static long For(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<LargeBodyMetadata>() switch
        {
            null => MaxBodyBytes,
            { Bytes: { } bytes } => bytes,
            _ => context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<ImportSettings>>().Value.MaxBodyBytes,
        };

    public static string Describe(long bytes) =>
        bytes % (1024 * 1024) == 0 ? $"{bytes / 1024 / 1024} MiB" : $"{bytes:N0} bytes";

    public static RouteHandlerBuilder AcceptsLargeBodies(this RouteHandlerBuilder builder, long? bytes = null) => builder.WithMetadata(new LargeBodyMetadata(bytes));

    /// <summary>
    /// Rejects a declared body over the endpoint's limit before anything reads it, and sets the same
    /// limit on the server, which enforces it for bodies of unknown length (chunked) as a 413 while reading.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var limit = For(context);
            if (context.Request.ContentLength > limit)
            {
                await ApiProblems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ApiProblems.DefaultDetail(context, 413));
                return;
            }

            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            {
                feature.MaxRequestBodySize = limit;
            }

            await next(context);
        });
}
