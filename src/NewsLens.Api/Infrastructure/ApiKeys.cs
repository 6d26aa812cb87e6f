using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Infrastructure;

public sealed class AuthSettings
{
    public const string Section = "Auth";

    /// <summary>When true, reads need a key too; by default only writes do.</summary>
    public bool RequireKeyForReads { get; set; }

    /// <summary>The accepted keys, each by name and the SHA-256 of the key (never the key itself).</summary>
    public List<ApiKeySetting> Keys { get; set; } = [];
}

public sealed class ApiKeySetting
{
    /// <summary>Who holds the key; this is what logs and rate limits use.</summary>
    public string Name { get; set; } = "";

    /// <summary>Lower- or upper-case hex SHA-256 of the key's UTF-8 bytes (64 characters).</summary>
    public string Sha256 { get; set; } = "";
}

/// <summary>API keys: made by <c>keys new</c>, presented in X-Api-Key, stored only as SHA-256 hashes.</summary>
public static class ApiKeys
{
    public const string Header = "X-Api-Key";
    public const string Scheme = "ApiKey";
    public const string ReadPolicy = "read";
    public const string WritePolicy = "write";

    /// <summary>Accepted only when the environment is Development, so <c>dotnet run</c> works without set-up.</summary>
    public const string DevelopmentKey = "newslens-development-key";
    public const string DevelopmentKeyName = "development";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key: 256 bits, base64url, with a recognizable prefix.</summary>
    public static string NewKey() => "nlk_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthSettings>().BindConfiguration(AuthSettings.Section)
            .Validate(s => s.Keys.All(k => k.Name.Length > 0 && System.Text.RegularExpressions.Regex.IsMatch(k.Sha256, "^[0-9a-fA-F]{64}$")),
                "Every Auth:Keys entry needs a Name and a Sha256 of 64 hex characters (make one with `keys new`).")
            .ValidateOnStart();
        builder.Services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        // AddAuthentication brings Data Protection, whose hosted service loads (or first creates and stores) a key
        // ring at start: a tenth of the start-up time, and a warning about unencrypted keys in every container.
        // Nothing here protects data (API keys are compared by hash; there are no cookies or tokens), so the ring
        // is not loaded at start; it would still load on first use if anything ever asked for it.
        if (builder.Services.FirstOrDefault(d => d.ServiceType == typeof(IHostedService) &&
            d.ImplementationType?.FullName == "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService") is { } keyRingLoader)
        {
            builder.Services.Remove(keyRingLoader);
        }
        builder.Services.AddSingleton<IAuthorizationHandler, ReadAccessHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(WritePolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(ReadPolicy, policy => policy.AddAuthenticationSchemes(Scheme).AddRequirements(new ReadAccessRequirement()));
        return builder;
    }

    /// <summary>Writes (POST, PUT, DELETE) need a key; reads need one when Auth:RequireKeyForReads is on.</summary>
    public static TBuilder RequireApiKeyForWrites<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            var methods = endpoint.Metadata.OfType<HttpMethodMetadata>().SelectMany(m => m.HttpMethods).ToList();
            var writes = methods.Any(m => m is "POST" or "PUT" or "DELETE" or "PATCH");
            endpoint.Metadata.Add(new AuthorizeAttribute(writes ? WritePolicy : ReadPolicy));
        });
        return builder;
    }

    public static void LogDevelopmentKey(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.Logger.LogWarning("Development: the API key '{DevelopmentKey}' is accepted in the {Header} header (never outside Development).", DevelopmentKey, Header);
        }
    }
}

/// <summary>
/// Authenticates the X-Api-Key header by comparing its SHA-256 with each configured hash in constant time.
/// Logs the key's name, never the key.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<AuthSettings> settings,
    IHostEnvironment environment,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private static readonly byte[] DevelopmentKeyHash = SHA256.HashData(Encoding.UTF8.GetBytes(ApiKeys.DevelopmentKey));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeys.Header, out var values) || values.Count == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(values.ToString()));
        string? name = null;
        foreach (var key in settings.CurrentValue.Keys)
        {
            // Every configured key is compared, each in constant time, whichever matches.
            if (CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(key.Sha256)))
            {
                name ??= key.Name;
            }
        }

        if (environment.IsDevelopment() && CryptographicOperations.FixedTimeEquals(presented, DevelopmentKeyHash))
        {
            name ??= ApiKeys.DevelopmentKeyName;
        }

        if (name is null)
        {
            Logger.LogInformation("Rejected an unknown API key on {Method} {Path}", Request.Method, Request.Path);
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        Logger.LogDebug("Authenticated API key {KeyName}", name);
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name)], ApiKeys.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeys.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{ApiKeys.Scheme} header=\"{ApiKeys.Header}\"";
        var presented = Request.Headers.ContainsKey(ApiKeys.Header);
        var detail = presented
            ? $"The API key in {ApiKeys.Header} is not valid."
            : $"This operation needs an API key in the {ApiKeys.Header} header.";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = ApiProblems.Create(StatusCodes.Status401Unauthorized, detail),
        });
    }
}

public sealed class ReadAccessRequirement : IAuthorizationRequirement;

/// <summary>
/// Reads are open unless Auth:RequireKeyForReads is on; a key that is presented must be valid either way,
/// so a misconfigured client learns of it on its first read.
/// </summary>
public sealed class ReadAccessHandler(IOptionsMonitor<AuthSettings> settings, IHttpContextAccessor accessor) : AuthorizationHandler<ReadAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadAccessRequirement requirement)
    {
        var authenticated = context.User.Identity?.IsAuthenticated == true;
        var presented = accessor.HttpContext?.Request.Headers.ContainsKey(ApiKeys.Header) == true;
        if (authenticated || (!presented && !settings.CurrentValue.RequireKeyForReads))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary><c>keys new [name]</c>: prints a new key and the configuration that accepts it.</summary>
public static partial class KeysCommand
{
    // The name is printed into JSON and environment lines as it is, so it may hold nothing that needs escaping.
    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex PrintableName();

    public static bool TryRun(string[] args) => TryRun(args, Console.Out, Console.Error);

    public static bool TryRun(string[] args, TextWriter output, TextWriter error)
    {
        if (args is not ["keys", ..])
        {
            return false;
        }

        if (args is not ["keys", "new", ..])
        {
            error.WriteLine("Usage: keys new [name]");
            Environment.ExitCode = 2;
            return true;
        }

        var name = args.Length > 2 ? args[2] : "partner";
        if (!PrintableName().IsMatch(name))
        {
            error.WriteLine("The key's name must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
            Environment.ExitCode = 2;
            return true;
        }

        var key = ApiKeys.NewKey();
        var hash = ApiKeys.Hash(key);
        output.WriteLine($"""
            API key for '{name}' (give it to the client; it is not stored anywhere):
              {key}

            Configuration that accepts it (only the hash is kept):
              "Auth": {"{"} "Keys": [ {"{"} "Name": "{name}", "Sha256": "{hash}" {"}"} ] {"}"}

            or as environment variables (N = the key's index):
              Auth__Keys__N__Name={name}
              Auth__Keys__N__Sha256={hash}
            """);
        return true;
    }
}
