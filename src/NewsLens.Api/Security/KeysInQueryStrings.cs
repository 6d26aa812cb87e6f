namespace NewsLens.Api.Security;

/// <summary>
/// Refuses an API key sent in the URL (<c>?api_key=</c> and its spellings) with a 400 that says to use the
/// header: URLs end up in logs, browser histories and proxies. The request goes no further, so nothing logs it.
/// </summary>
public static class KeysInQueryStrings
{
    private static readonly string[] Names = ["api_key", "apikey", "api-key", "x-api-key", "x_api_key", "key"];

    public static IApplicationBuilder UseNoKeysInQueryStrings(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var name = Names.FirstOrDefault(n => context.Request.Query.ContainsKey(n));
            if (name is null)
            {
                await next(context);
                return;
            }

            var message = $"Send the API key in the {ApiKeys.Header} header, never in the URL: URLs are kept in logs, browser histories and proxies. " +
                "If that was a real key, ask for a new one.";
            await ApiProblems.WriteAsync(context, StatusCodes.Status400BadRequest, message, new Dictionary<string, string[]> { [name] = [message] });
        });
}
