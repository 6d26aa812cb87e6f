namespace NewsLens.Api.Http;

/// <summary>Where the service finds its settings and resolves relative paths (the content root).</summary>
public static class HostPaths
{
    /// <summary>
    /// The host's options: the content root is the folder of the service's own files (where its appsettings.json
    /// lies), whatever folder it was started from, unless <c>--contentRoot</c> or <c>ASPNETCORE_CONTENTROOT</c>
    /// names one. Started from elsewhere with the framework's default (the working folder), a published server
    /// read no settings at all and ran with Production's defaults missing (request logging included). Under
    /// <c>dotnet run</c> (which sets DOTNET_LAUNCH_PROFILE) the working folder is the project's, as before.
    /// </summary>
    public static WebApplicationOptions Options(string[] args) => new()
    {
        Args = args,
        ContentRootPath = NamesContentRoot(args) || Environment.GetEnvironmentVariable("DOTNET_LAUNCH_PROFILE") is { Length: > 0 }
            ? null
            : AppContext.BaseDirectory,
    };

    private static bool NamesContentRoot(string[] args) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT")) ||
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT")) ||
        args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase));
}
