namespace NewsLens.Api.Storage;

/// <summary>Timestamps are stored as milliseconds since the Unix epoch and served as UTC.</summary>
internal static class UnixTime
{
    public static DateTime FromMs(long ms) => DateTime.UnixEpoch.AddMilliseconds(ms);

    public static DateTime? FromMs(long? ms) => ms is { } v ? FromMs(v) : null;
}
