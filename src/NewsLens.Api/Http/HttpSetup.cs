using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;

namespace NewsLens.Api.Http;

/// <summary>The HTTP contract every endpoint shares: limits, JSON, problems, validation, and the /v1 group's conventions.</summary>
public static class HttpSetup
{
    public static WebApplicationBuilder AddHttpContract(this WebApplicationBuilder builder)
    {
        // Answers must not depend on the host's locale (number formats, FluentValidation's message language):
        // ICU is loaded for host-name mapping, not for cultures.
        System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
        System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Stated rather than left to defaults: bodies (raised per endpoint for imports), headers, and
            // clients that send too slowly to hold a connection open.
            kestrel.Limits.MaxRequestBodySize = RequestLimits.MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(bytesPerSecond: 1024, gracePeriod: TimeSpan.FromSeconds(10));
        });
        // The hosting layer's per-request lines carry the whole URL, query string included; they stay off whatever
        // the configuration says, so nothing a client puts in a URL reaches the log.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            var json = options.SerializerOptions;
            json.NumberHandling = JsonNumberHandling.Strict;
            json.Converters.Add(new SnakeCaseEnumConverterFactory());
            json.Converters.Add(new Rfc3339DateTimeOffsetConverter());
            json.Converters.Add(new TrimmingStringConverter());
        });
        // A body the framework cannot read becomes an exception, which ApiExceptionHandler turns into a problem naming the field.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(options =>
            options.CustomizeProblemDetails = context => ApiProblems.Complete(context.ProblemDetails, context.HttpContext));
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddOptions<HttpCachingOptions>().BindConfiguration(HttpCachingOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // One message per field: the first rule it breaks.
        ValidatorOptions.Global.DefaultRuleLevelCascadeMode = CascadeMode.Stop;
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton);
        return builder;
    }

    /// <summary>
    /// What every /v1 endpoint shares: problems through the problem details service, validation before the
    /// handler, an API key for writes, and HEAD wherever GET is answered.
    /// </summary>
    public static RouteGroupBuilder MapApiVersion1(this IEndpointRouteBuilder routes) =>
        routes.MapGroup("/v1")
            .AddEndpointFilter<ProblemResultFilter>()
            .AddEndpointFilterFactory(ValidationFilter.Factory)
            .RequireApiKeyForWrites()
            .AnswerHeadLikeGet();

    /// <summary>Clients must not guess a content type other than the one sent.</summary>
    public static IApplicationBuilder UseNoContentTypeSniffing(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return next(context);
        });
}
