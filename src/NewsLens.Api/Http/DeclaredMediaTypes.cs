using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Http;

public static class MediaTypes
{
    /// <summary>
    /// A body must be sent as one of the media types its endpoint declares, exactly: the framework would
    /// also read any "+json" type as JSON (application/json-patch+json, application/merge-patch+json), but
    /// those mean a patch, not a full document, so they are a 415 rather than misread.
    /// </summary>
    public static IApplicationBuilder UseDeclaredMediaTypes(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var accepts = context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>();
            var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
            if (accepts is { ContentTypes.Count: > 0 } && mediaType is not null &&
                !accepts.ContentTypes.Any(t => string.Equals(t, mediaType, StringComparison.OrdinalIgnoreCase)))
            {
                await ApiProblems.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType,
                    $"Send the body as {string.Join(" or ", accepts.ContentTypes)}, not {mediaType}.");
                return;
            }

            await next(context);
        });
}
