using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;

namespace NewsLens.Api.Http;

public sealed class CursorSettings
{
    public const string Section = "Cursors";

    public const int MinKeyBytes = 32;

    /// <summary>
    /// Base64 of at least 32 random bytes that sign list cursors. When unset, a key is generated on first start and
    /// kept in the database, so every process on the database, and every restart, uses the same one.
    /// </summary>
    public string? Key { get; set; }

    internal static bool TryDecodeKey(string text, [NotNullWhen(true)] out byte[]? key)
    {
        key = null;
        var buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out var length) || length < MinKeyBytes)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }
}

/// <summary>
/// A list cursor as sent: the list it names, its keyset position and the tag that shows the server issued it
/// (<see cref="CursorProtector.Issued"/> checks the tag; parsing only reads the parts).
/// </summary>
public sealed record PageCursor(string List, long[] Keys, byte[] Payload, byte[] Tag) : IQueryParsable<PageCursor>
{
    public const string NotIssued = "The cursor is not one this list issued; pass nextCursor from the previous page unchanged.";

    private const int MaxLength = 200;

    public static bool TryParse(string text, [MaybeNullWhen(false)] out PageCursor value, out string error)
    {
        value = null;
        error = NotIssued;
        if (text.Length is 0 or > MaxLength || !Base64Url.IsValid(text))
        {
            return false;
        }

        var bytes = Base64Url.DecodeFromChars(text);
        // One spelling per cursor: no padding or white space that would decode to the same bytes.
        if (bytes.Length <= CursorProtector.TagBytes || Base64Url.GetEncodedLength(bytes.Length) != text.Length)
        {
            return false;
        }

        var payload = bytes[..^CursorProtector.TagBytes];
        var parts = Encoding.UTF8.GetString(payload).Split(':');
        var keys = new long[parts.Length - 1];
        for (var i = 0; i < keys.Length; i++)
        {
            if (!long.TryParse(parts[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out keys[i]))
            {
                return false;
            }
        }

        value = new PageCursor(parts[0], keys, payload, bytes[^CursorProtector.TagBytes..]);
        error = "";
        return true;
    }
}

/// <summary>
/// Opaque, tamper-evident keyset cursors: base64url of "list:k1:k2" followed by a truncated HMAC-SHA256 of it.
/// The list name is part of the cursor, so a cursor from one list is refused by another instead of silently paging
/// the wrong thing; the tag makes a cursor built or edited by hand a 400 instead of a page the server never issued.
/// </summary>
public sealed class CursorProtector
{
    public const int TagBytes = 16;
    private const string DatabaseKeyName = "cursor_key";

    private readonly byte[] key;

    public CursorProtector(byte[] key)
    {
        if (key.Length < CursorSettings.MinKeyBytes)
        {
            throw new ArgumentException($"A cursor key has at least {CursorSettings.MinKeyBytes} bytes.", nameof(key));
        }

        this.key = key;
    }

    /// <summary>The configured <c>Cursors:Key</c>, else the database's key, made on the first start that needed one.</summary>
    public static CursorProtector Create(IServiceProvider services)
    {
        // A configured key has passed the options validation by now.
        var configured = services.GetRequiredService<IOptions<CursorSettings>>().Value.Key;
        if (!string.IsNullOrEmpty(configured))
        {
            return new CursorProtector(Convert.FromBase64String(configured));
        }

        var database = services.GetRequiredService<Database>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<CursorProtector>();
        string stored;
        try
        {
            stored = ServerSettings.GetOrAdd(database, DatabaseKeyName,
                () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(CursorSettings.MinKeyBytes)), out var added);
            if (added)
            {
                logger.LogInformation("Generated the key that signs list cursors and stored it in the database (set Cursors:Key to supply one).");
            }
        }
        catch (System.Data.Common.DbException exception) when (StorageFaults.Classify(exception) is StorageFault.ReadOnly)
        {
            // A read-only database that never stored a key: cursors are signed with a key of this process alone.
            logger.LogWarning("The database is read-only and holds no cursor key: list cursors from this process will not work on another one or after a restart.");
            return new CursorProtector(RandomNumberGenerator.GetBytes(CursorSettings.MinKeyBytes));
        }

        return new CursorProtector(Convert.FromBase64String(stored));
    }

    public string Encode(string list, params long[] key)
    {
        var payload = Encoding.UTF8.GetBytes($"{list}:{string.Join(':', key.Select(k => k.ToString(CultureInfo.InvariantCulture)))}");
        var cursor = new byte[payload.Length + TagBytes];
        payload.CopyTo(cursor, 0);
        Tag(payload, cursor.AsSpan(payload.Length));
        return Base64Url.EncodeToString(cursor);
    }

    /// <summary>Whether this server issued <paramref name="cursor"/> for <paramref name="list"/> (a keyset of <paramref name="keyParts"/> numbers).</summary>
    public bool Issued(PageCursor cursor, string list, int keyParts)
    {
        Span<byte> expected = stackalloc byte[TagBytes];
        Tag(cursor.Payload, expected);
        return CryptographicOperations.FixedTimeEquals(expected, cursor.Tag) && cursor.List == list && cursor.Keys.Length == keyParts;
    }

    private void Tag(ReadOnlySpan<byte> payload, Span<byte> tag)
    {
        Span<byte> full = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, payload, full);
        full[..TagBytes].CopyTo(tag);
    }
}

public static class CursorSetup
{
    public static WebApplicationBuilder AddCursors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CursorSettings>().BindConfiguration(CursorSettings.Section)
            .Validate(s => string.IsNullOrEmpty(s.Key) || CursorSettings.TryDecodeKey(s.Key, out _),
                $"Cursors:Key must be base64 of at least {CursorSettings.MinKeyBytes} random bytes (make one with `openssl rand -base64 32`), or unset to use the key kept in the database.")
            .ValidateOnStart();
        builder.Services.AddSingleton(CursorProtector.Create);
        return builder;
    }

    /// <summary>Reads (or makes) the cursor key now, so a bad Cursors:Key or an unreadable database fails start, not the first list.</summary>
    public static void LoadCursorKey(this WebApplication app) => app.Services.GetRequiredService<CursorProtector>();
}
