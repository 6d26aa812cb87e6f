using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Security;

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

    /// <summary>What the key may do: <c>read</c>, <c>write</c>, <c>admin</c>. None listed means read and write.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The listed scopes, or read and write when none are listed (keys configured before scopes existed).</summary>
    public IReadOnlyList<string> EffectiveScopes => Scopes.Count > 0 ? Scopes : ApiKeys.DefaultScopes;
}

/// <summary>Checks every configured key, naming the entry and what is wrong with it.</summary>
public sealed partial class AuthSettingsValidator : IValidateOptions<AuthSettings>
{
    [GeneratedRegex(@"^[0-9a-fA-F]{64}\z")]
    private static partial Regex Sha256Hex();

    public ValidateOptionsResult Validate(string? name, AuthSettings options)
    {
        var failures = new List<string>();
        if (options.Keys.Any(k => k.Name.Length == 0 || !Sha256Hex().IsMatch(k.Sha256)))
        {
            failures.Add("Every Auth:Keys entry needs a Name and a Sha256 of 64 hex characters (make one with `keys new`).");
        }

        for (var i = 0; i < options.Keys.Count; i++)
        {
            foreach (var scope in options.Keys[i].Scopes.Where(s => !ApiKeys.KnownScopes.Contains(s)))
            {
                failures.Add($"Auth:Keys:{i}:Scopes holds the unknown scope '{scope}'; the scopes are {string.Join(", ", ApiKeys.KnownScopes)}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>API keys: made by <c>keys new</c>, presented in X-Api-Key, stored only as SHA-256 hashes.</summary>
public static class ApiKeys
{
    public const string Header = "X-Api-Key";
    public const string Scheme = "ApiKey";
    public const string ScopeClaim = "scope";

    // Each scope is also the name of the authorization policy that requires it.
    public const string ReadPolicy = "read";
    public const string WritePolicy = "write";
    public const string AdminPolicy = "admin";

    public static IReadOnlyList<string> KnownScopes { get; } = [ReadPolicy, WritePolicy, AdminPolicy];

    /// <summary>The scopes of a key that lists none.</summary>
    public static IReadOnlyList<string> DefaultScopes { get; } = [ReadPolicy, WritePolicy];

    /// <summary>Accepted only when the environment is Development, so <c>dotnet run</c> works without set-up.</summary>
    public const string DevelopmentKey = "newslens-development-key";
    public const string DevelopmentKeyName = "development";

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>A new random key: 256 bits, base64url, with a recognizable prefix.</summary>
    public static string NewKey() => "nlk_" + System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static WebApplicationBuilder AddApiKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthSettings>().BindConfiguration(AuthSettings.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthSettings>, AuthSettingsValidator>();
        // The authentication core and the one scheme, without AddAuthentication's Data Protection key ring: nothing here
        // protects data (keys are compared by hash; there are no cookies or tokens), and loading the ring took a tenth
        // of the start-up time and warned about unencrypted keys in every container.
        builder.Services.AddAuthenticationCore(options => options.DefaultScheme = Scheme).AddWebEncoders();
        new AuthenticationBuilder(builder.Services).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        builder.Services.AddSingleton<IAuthorizationHandler, ScopeHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeProblemResultHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReadPolicy, policy => policy.AddAuthenticationSchemes(Scheme).AddRequirements(new ScopeRequirement(ReadPolicy)))
            .AddPolicy(WritePolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(WritePolicy)))
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(AdminPolicy)));
        return builder;
    }

    /// <summary>
    /// Writes (POST, PUT, DELETE) need a key with the write scope; reads need one with the read scope when a key is
    /// presented or Auth:RequireKeyForReads is on. An endpoint or inner group that names its own policy (the admin
    /// endpoints) keeps only that one.
    /// </summary>
    public static TBuilder RequireApiKeyForWrites<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        // Finally: runs after the inner groups' and endpoints' own conventions, so their policies are already there.
        builder.Finally(endpoint =>
        {
            if (endpoint.Metadata.OfType<IAuthorizeData>().Any())
            {
                return;
            }

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
