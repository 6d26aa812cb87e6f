using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Http;

public static class QueryRules
{
    /// <summary>
    /// A query parameter given twice (<c>?limit=1&amp;limit=500</c>) is refused rather than silently resolved:
    /// lists take each parameter once, and a list of ids is one comma-separated value.
    /// </summary>
    public static IApplicationBuilder UseSingleValuedQueryParameters(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var repeated = context.Request.Query.Where(p => p.Value.Count > 1).Select(p => p.Key).ToList();
            if (repeated.Count > 0 && context.Request.Path.StartsWithSegments("/v1"))
            {
                await ApiProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "A query parameter is given more than once.",
                    repeated.ToDictionary(key => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(key), key => new[] { $"'{key}' is given more than once; give it once." }));
                return;
            }

            await next(context);
        });
}
