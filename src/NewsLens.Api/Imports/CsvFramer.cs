using System.Text;

namespace NewsLens.Api.Imports;

/// <summary>
/// CSV (RFC 4180): records end at a line break outside quotes; a quoted field may hold commas, line breaks and
/// doubled quotes. Blank lines are skipped and not counted. The first record is row <paramref name="firstRow"/>
/// (0 when it is a header).
/// </summary>
public sealed class CsvFramer(int maxRecordBytes, long firstRow = 0) : RecordFramer(maxRecordBytes)
{
    private CsvState state = CsvState.FieldStart;
    private long row = firstRow - 1;

    protected override void Scan(ReadOnlySpan<byte> chunk)
    {
        var start = 0;
        for (var i = 0; i < chunk.Length; i++)
        {
            state = CsvFields.Next(state, chunk[i]);
            if (state == CsvState.RecordEnd)
            {
                Append(chunk[start..i]);
                EndRecord();
                start = i + 1;
            }
        }

        Append(chunk[start..]);
    }

    protected override void End()
    {
        if (CurrentHasContent)
        {
            EndRecord();
        }
    }

    private void EndRecord()
    {
        state = CsvState.FieldStart;
        if (!CurrentIsTooLong && Current.Trim(" \t\r"u8).IsEmpty)
        {
            Discard();
            return;
        }

        Emit(++row, trimEnd: Current.EndsWith("\r"u8) ? 1 : 0);
    }
}

public enum CsvState
{
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
    FieldEnd,
    RecordEnd,
}

/// <summary>The one CSV state machine, shared by record framing and field splitting so the two always agree.</summary>
public static class CsvFields
{
    /// <summary>The state after <paramref name="b"/>. FieldEnd and RecordEnd mean the byte was a separator.</summary>
    public static CsvState Next(CsvState state, byte b) => state switch
    {
        CsvState.FieldStart or CsvState.FieldEnd or CsvState.RecordEnd => b switch
        {
            (byte)'"' => CsvState.Quoted,
            (byte)',' => CsvState.FieldEnd,
            (byte)'\n' => CsvState.RecordEnd,
            (byte)' ' or (byte)'\t' => CsvState.FieldStart,
            _ => CsvState.Unquoted,
        },
        CsvState.Unquoted => b switch
        {
            (byte)',' => CsvState.FieldEnd,
            (byte)'\n' => CsvState.RecordEnd,
            _ => CsvState.Unquoted,
        },
        CsvState.Quoted => b == '"' ? CsvState.QuoteInQuoted : CsvState.Quoted,
        CsvState.QuoteInQuoted => b switch
        {
            (byte)'"' => CsvState.Quoted,
            (byte)',' => CsvState.FieldEnd,
            (byte)'\n' => CsvState.RecordEnd,
            // Text after a closing quote is kept, as lenient readers do.
            _ => CsvState.Unquoted,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>The fields of one record (valid UTF-8, without its line break), unquoted and trimmed.</summary>
    public static string[] Split(ReadOnlySpan<byte> record)
    {
        var fields = new List<string>();
        var field = new List<byte>(64);
        var state = CsvState.FieldStart;
        foreach (var b in record)
        {
            var next = Next(state, b);
            var keep = next switch
            {
                CsvState.FieldEnd or CsvState.RecordEnd or CsvState.FieldStart => false,
                CsvState.Quoted => state is CsvState.Quoted or CsvState.QuoteInQuoted, // not the opening quote; the second of a doubled one
                CsvState.QuoteInQuoted => false,
                _ => true,
            };
            if (keep)
            {
                field.Add(b);
            }

            if (next is CsvState.FieldEnd)
            {
                fields.Add(Text(field));
                field.Clear();
            }

            state = next;
        }

        fields.Add(Text(field));
        return [.. fields];
    }

    private static string Text(List<byte> bytes) =>
        Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)).Trim();
}
