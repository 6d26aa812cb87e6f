namespace NewsLens.Api.Imports;

/// <summary>NDJSON: one record per line (LF or CRLF). Blank lines are skipped and not counted as rows.</summary>
public sealed class NdJsonFramer(int maxRecordBytes) : RecordFramer(maxRecordBytes)
{
    private long row;

    protected override void Scan(ReadOnlySpan<byte> chunk)
    {
        while (chunk.Length > 0)
        {
            var end = chunk.IndexOf((byte)'\n');
            if (end < 0)
            {
                Append(chunk);
                return;
            }

            Append(chunk[..end]);
            EndLine();
            chunk = chunk[(end + 1)..];
        }
    }

    protected override void End()
    {
        if (CurrentHasContent)
        {
            EndLine();
        }
    }

    private void EndLine()
    {
        if (!CurrentIsTooLong && IsBlank(Current))
        {
            Discard();
            return;
        }

        Emit(++row, trimEnd: Current.EndsWith("\r"u8) ? 1 : 0);
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (!IsJsonWhiteSpace(b) && b is not ((byte)'\f' or (byte)'\v'))
            {
                return false;
            }
        }

        return true;
    }
}
