using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace NewsLens.Api.Imports;

/// <summary>
/// The first row on which each key (a canonical URL, a domain) appeared in an import, to refuse a key named twice.
/// Keys are remembered by a 128-bit hash rather than as strings, so a 500,000-row import keeps about 20 MB for
/// this instead of about 130 MB; two different keys share a hash with a probability near 2^-90 at that size.
/// </summary>
public sealed class FirstRows
{
    private readonly Dictionary<UInt128, long> rows = [];

    /// <summary>Records <paramref name="row"/> for <paramref name="key"/>; false, with the earlier row, when the key was seen before.</summary>
    public bool TryAdd(string key, long row, out long firstRow)
    {
        var hash = Hash(key);
        if (rows.TryGetValue(hash, out firstRow))
        {
            return false;
        }

        rows[hash] = row;
        firstRow = row;
        return true;
    }

    private static UInt128 Hash(string key)
    {
        var length = Encoding.UTF8.GetMaxByteCount(key.Length);
        byte[]? rented = null;
        Span<byte> buffer = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            return XxHash128.HashToUInt128(buffer[..Encoding.UTF8.GetBytes(key, buffer)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
