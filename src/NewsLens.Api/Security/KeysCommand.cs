using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Security;

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

            The key may read and write; for other scopes list them all (read, write, admin), e.g.
              Auth__Keys__N__Scopes__0=read  Auth__Keys__N__Scopes__1=write  Auth__Keys__N__Scopes__2=admin
            """);
        return true;
    }
}
