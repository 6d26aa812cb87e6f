using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Security;

/// <summary>The operation needs a key holding <see cref="Scope"/> (for <c>read</c>: only when a key is presented or reads need one).</summary>
public sealed class ScopeRequirement(string scope) : IAuthorizationRequirement
{
    public string Scope { get; } = scope;
}

/// <summary>
/// A key passes when its scope claims hold the requirement's scope. Reads are also open to requests without a
/// key unless Auth:RequireKeyForReads is on; a key that is presented must be valid either way, so a
/// misconfigured client learns of it on its first read.
/// </summary>
public sealed class ScopeHandler(IOptionsMonitor<AuthSettings> settings, IHttpContextAccessor accessor) : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var passes = context.User.Identity?.IsAuthenticated == true
            ? context.User.HasClaim(ApiKeys.ScopeClaim, requirement.Scope)
            : requirement.Scope == ApiKeys.ReadPolicy && !settings.CurrentValue.RequireKeyForReads &&
              accessor.HttpContext?.Request.Headers.ContainsKey(ApiKeys.Header) != true;
        if (passes)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>
/// A valid key that lacks the operation's scope is a 403 problem naming the scope; everything else (success,
/// the 401 challenge) is left to the framework's handler.
/// </summary>
public sealed class ScopeProblemResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler framework = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden || authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().FirstOrDefault() is not { } missing)
        {
            await framework.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        await ApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, $"This API key lacks the '{missing.Scope}' scope.",
            extensions: new Dictionary<string, object?> { ["missingScope"] = missing.Scope });
    }
}
