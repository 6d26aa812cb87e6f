using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace NewsLens.Api.Imports;

/// <summary>Why a record of an import body was refused before it was parsed.</summary>
public enum RecordFault
{
    None,

    /// <summary>Longer than <c>Imports:MaxRowBytes</c>; its bytes were skipped, never held.</summary>
    TooLong,

    /// <summary>Not valid UTF-8.</summary>
    NotUtf8,
}

/// <summary>
/// One record of an import body (an NDJSON line, a CSV record or a JSON array element) as raw UTF-8.
/// <paramref name="Row"/> counts records from 1 (a CSV header is row 0); <paramref name="Bytes"/> is empty when
/// <paramref name="Fault"/> is not <see cref="RecordFault.None"/>.
/// </summary>
public readonly record struct ImportRecord(long Row, ReadOnlyMemory<byte> Bytes, RecordFault Fault);

public static class ImportRecords
{
    /// <summary>
    /// Splits a request body into records as it arrives. Memory holds the chunk being read and one record of at
    /// most the framer's limit: a longer record is skipped byte by byte and reported as <see cref="RecordFault.TooLong"/>.
    /// </summary>
    public static async IAsyncEnumerable<ImportRecord> ReadAsync(PipeReader body, RecordFramer framer, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            var read = await body.ReadAsync(ct);
            foreach (var segment in read.Buffer)
            {
                framer.Feed(segment.Span);
            }

            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                framer.Complete();
            }

            while (framer.Completed.TryDequeue(out var record))
            {
                yield return record;
            }

            if (read.IsCompleted)
            {
                yield break;
            }
        }
    }
}
