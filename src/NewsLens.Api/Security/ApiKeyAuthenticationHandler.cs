using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Security;

/// <summary>
/// Authenticates the X-Api-Key header by comparing its SHA-256 with each configured hash in constant time.
/// Logs the key's name, never the key.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptionsMonitor<AuthSettings> settings,
    IHostEnvironment environment)
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
        IReadOnlyList<string> scopes = [];
        foreach (var key in settings.CurrentValue.Keys)
        {
            // Every configured key is compared, each in constant time, whichever matches.
            if (CryptographicOperations.FixedTimeEquals(presented, Convert.FromHexString(key.Sha256)) && name is null)
            {
                name = key.Name;
                scopes = key.EffectiveScopes;
            }
        }

        if (environment.IsDevelopment() && CryptographicOperations.FixedTimeEquals(presented, DevelopmentKeyHash) && name is null)
        {
            name = ApiKeys.DevelopmentKeyName;
            scopes = ApiKeys.KnownScopes;
        }

        if (name is null)
        {
            Logger.LogInformation("Rejected an unknown API key on {Method} {Path}", Request.Method, Request.Path);
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        }

        Logger.LogDebug("Authenticated API key {KeyName}", name);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), .. scopes.Distinct().Select(scope => new Claim(ApiKeys.ScopeClaim, scope))], ApiKeys.Scheme);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeys.Scheme)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{ApiKeys.Scheme} header=\"{ApiKeys.Header}\"";
        var presented = Request.Headers.ContainsKey(ApiKeys.Header);
        var detail = presented
            ? $"The API key in {ApiKeys.Header} is not valid."
            : $"This operation needs an API key in the {ApiKeys.Header} header.";
        await ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, detail);
    }
}
