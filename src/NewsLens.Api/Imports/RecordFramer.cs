using System.Text.Unicode;

namespace NewsLens.Api.Imports;

/// <summary>
/// Finds record boundaries in an import body fed chunk by chunk, and hands out each record's bytes once it is
/// complete. A record is copied only while it fits <see cref="MaxRecordBytes"/>; past that its bytes are scanned
/// for the record's end and dropped, so one endless line costs no more memory than a short one.
/// </summary>
public abstract class RecordFramer(int maxRecordBytes)
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    private byte[] buffer = new byte[Math.Min(4096, maxRecordBytes)];
    private int length;
    private bool tooLong;
    private int bomBytesSeen;
    private bool pastBom;

    public int MaxRecordBytes { get; } = maxRecordBytes;

    /// <summary>Records completed by the chunks fed so far, in order.</summary>
    public Queue<ImportRecord> Completed { get; } = new();

    /// <summary>Feeds the next chunk of the body.</summary>
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (!pastBom)
        {
            // A UTF-8 byte order mark at the very start of the body is not part of the first record.
            while (chunk.Length > 0 && bomBytesSeen < Bom.Length && chunk[0] == Bom[bomBytesSeen])
            {
                chunk = chunk[1..];
                bomBytesSeen++;
            }

            if (chunk.Length == 0 && bomBytesSeen < Bom.Length)
            {
                return;
            }

            pastBom = true;
            if (bomBytesSeen is > 0 and < 3)
            {
                // The start only looked like a byte order mark: those bytes belong to the body.
                Scan(Bom[..bomBytesSeen]);
            }
        }

        Scan(chunk);
    }

    /// <summary>The body has ended.</summary>
    public void Complete()
    {
        if (!pastBom && bomBytesSeen is > 0 and < 3)
        {
            pastBom = true;
            Scan(Bom[..bomBytesSeen]);
        }

        End();
    }

    protected abstract void Scan(ReadOnlySpan<byte> chunk);

    protected abstract void End();

    /// <summary>Adds bytes to the current record, or drops them once it has outgrown the limit.</summary>
    protected void Append(ReadOnlySpan<byte> bytes)
    {
        if (tooLong || bytes.Length == 0)
        {
            return;
        }

        if (length + bytes.Length > MaxRecordBytes)
        {
            tooLong = true;
            length = 0;
            return;
        }

        if (length + bytes.Length > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Min(MaxRecordBytes, Math.Max(buffer.Length * 2, length + bytes.Length)));
        }

        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    protected void Append(byte value) => Append([value]);

    /// <summary>The current record's bytes so far (empty once it is too long).</summary>
    protected ReadOnlySpan<byte> Current => buffer.AsSpan(0, length);

    protected bool CurrentIsTooLong => tooLong;

    /// <summary>Whether anything (even dropped bytes) belongs to the current record.</summary>
    protected bool CurrentHasContent => tooLong || length > 0;

    /// <summary>Ends the current record as <paramref name="row"/>, checking that it is UTF-8, and starts the next.</summary>
    protected void Emit(long row, int trimEnd = 0)
    {
        if (tooLong)
        {
            Completed.Enqueue(new ImportRecord(row, ReadOnlyMemory<byte>.Empty, RecordFault.TooLong));
        }
        else
        {
            var bytes = buffer.AsSpan(0, length - trimEnd);
            Completed.Enqueue(Utf8.IsValid(bytes)
                ? new ImportRecord(row, bytes.ToArray(), RecordFault.None)
                : new ImportRecord(row, ReadOnlyMemory<byte>.Empty, RecordFault.NotUtf8));
        }

        Discard();
    }

    /// <summary>Forgets the current record without emitting it.</summary>
    protected void Discard()
    {
        length = 0;
        tooLong = false;
    }

    protected static bool IsJsonWhiteSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
