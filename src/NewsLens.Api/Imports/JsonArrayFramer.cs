using System.Text.Json;

namespace NewsLens.Api.Imports;

/// <summary>
/// A JSON array of records: each element is a record (row = its index + 1). Only the array's structure is
/// checked here (brackets, strings, commas); each element is parsed on its own afterwards. A body of
/// <c>null</c>, or no body at all, holds no records. Malformed structure throws a <see cref="JsonException"/>
/// whose path names the element, as the serializer's own would.
/// </summary>
public sealed class JsonArrayFramer(int maxRecordBytes) : RecordFramer(maxRecordBytes)
{
    private enum Where { Start, Null, BeforeElement, InElement, AfterElement, End }

    private Where where = Where.Start;
    private int nullMatched;
    private long elements;

    // Inside an element: bracket depth, whether in a string and just after a backslash in it, and whether the
    // element is a scalar (which ends at the first separator) rather than an object or array.
    private int depth;
    private bool inString;
    private bool escaped;
    private bool scalar;

    protected override void Scan(ReadOnlySpan<byte> chunk)
    {
        // An element that began in an earlier chunk goes on from this chunk's first byte.
        var start = where == Where.InElement ? 0 : -1;
        for (var i = 0; i < chunk.Length; i++)
        {
            var b = chunk[i];
            switch (where)
            {
                case Where.Start:
                    if (IsJsonWhiteSpace(b))
                    {
                        break;
                    }

                    where = b switch
                    {
                        (byte)'[' => Where.BeforeElement,
                        (byte)'n' => Where.Null,
                        _ => throw Malformed("$", "The body must be a JSON array of import rows."),
                    };
                    nullMatched = 1;
                    break;

                case Where.Null:
                    if (nullMatched < 4)
                    {
                        if (b != "null"u8[nullMatched++])
                        {
                            throw Malformed("$", "The body must be a JSON array of import rows.");
                        }
                    }
                    else if (!IsJsonWhiteSpace(b))
                    {
                        throw Malformed("$", "Nothing may follow the body's JSON value.");
                    }

                    break;

                case Where.BeforeElement:
                    if (IsJsonWhiteSpace(b))
                    {
                        break;
                    }

                    if (b == ']')
                    {
                        if (elements > 0)
                        {
                            throw Malformed($"$[{elements}]", "A comma must be followed by another element.");
                        }

                        where = Where.End;
                        break;
                    }

                    elements++;
                    (depth, inString, escaped) = (0, false, false);
                    scalar = b is not ((byte)'{' or (byte)'[');
                    where = Where.InElement;
                    start = i;
                    if (StepInElement(b))
                    {
                        FinishElement(chunk[start..(i + 1)]);
                        start = -1;
                    }

                    break;

                case Where.InElement:
                    if (scalar && !inString && (IsJsonWhiteSpace(b) || b is (byte)',' or (byte)']'))
                    {
                        FinishElement(chunk[start..i]);
                        start = -1;
                        i--; // the separator is read again, after the element
                        break;
                    }

                    if (StepInElement(b))
                    {
                        FinishElement(chunk[start..(i + 1)]);
                        start = -1;
                    }

                    break;

                case Where.AfterElement:
                    if (IsJsonWhiteSpace(b))
                    {
                        break;
                    }

                    where = b switch
                    {
                        (byte)',' => Where.BeforeElement,
                        (byte)']' => Where.End,
                        _ => throw Malformed($"$[{elements - 1}]", "Elements must be separated by commas."),
                    };
                    break;

                case Where.End:
                    if (!IsJsonWhiteSpace(b))
                    {
                        throw Malformed("$", "Nothing may follow the body's JSON array.");
                    }

                    break;
            }
        }

        if (start >= 0)
        {
            Append(chunk[start..]);
        }
    }

    /// <summary>Advances the element's state by one byte; true when the byte closes the element.</summary>
    private bool StepInElement(byte b)
    {
        if (inString)
        {
            if (escaped)
            {
                escaped = false;
            }
            else if (b == '\\')
            {
                escaped = true;
            }
            else if (b == '"')
            {
                inString = false;
                return scalar && depth == 0;
            }

            return false;
        }

        switch (b)
        {
            case (byte)'"':
                inString = true;
                return false;
            case (byte)'{' or (byte)'[':
                depth++;
                return false;
            case (byte)'}' or (byte)']':
                depth--;
                return !scalar && depth == 0;
            default:
                return false;
        }
    }

    private void FinishElement(ReadOnlySpan<byte> tail)
    {
        Append(tail);
        Emit(elements);
        where = Where.AfterElement;
    }

    protected override void End()
    {
        switch (where)
        {
            case Where.Start or Where.End:
            case Where.Null when nullMatched == 4:
                return;
            case Where.InElement or Where.AfterElement or Where.BeforeElement:
                throw Malformed($"$[{Math.Max(0, elements - 1)}]", "The body ends before its JSON array does.");
            default:
                throw Malformed("$", "The body must be a JSON array of import rows.");
        }
    }

    private static JsonException Malformed(string path, string message) => new(message, path, null, null);
}
