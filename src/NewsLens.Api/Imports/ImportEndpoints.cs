using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace NewsLens.Api.Imports;

public static class ImportEndpoints
{
    public const string Csv = "text/csv";
    public const string Json = "application/json";
    public const string NdJson = "application/x-ndjson";
    public const string LogCategory = "NewsLens.Api.Imports";


    /// <summary>The request's media type, lower case, without parameters.</summary>
    public static string? MediaType(HttpRequest request) =>
        request.ContentType is { } type ? type.Split(';')[0].Trim().ToLowerInvariant() : null;

    /// <summary>A body that is not well-formed JSON of the documented shape stops the import as a 400 naming where.</summary>
    public static ValidationProblem MalformedJson(System.Text.Json.JsonException exception)
    {
        var field = ApiExceptionHandler.FieldFromJsonPath(exception.Path);
        var message = exception is JsonValueException ? exception.Message : "The body is not a well-formed JSON array of import rows at this point.";
        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: $"Malformed JSON at '{field}': {message}");
    }

    /// <summary>Why a record was refused before it was parsed, for its bad row.</summary>
    public static string FaultMessage(Imports.RecordFault fault, int maxRowBytes) => fault switch
    {
        Imports.RecordFault.TooLong => $"The row is longer than {maxRowBytes:N0} bytes, the most one row may hold (Imports:MaxRowBytes); it was not read.",
        Imports.RecordFault.NotUtf8 => "The row is not valid UTF-8 text; send the file in UTF-8.",
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    /// <summary>A serializer error inside array element <paramref name="index"/>, with its path made the document's ("$.title" → "$[3].title").</summary>
    public static System.Text.Json.JsonException InElement(System.Text.Json.JsonException exception, long index)
    {
        var path = $"$[{index}]" + (exception.Path is { Length: > 1 } inner && inner.StartsWith('$') ? inner[1..] : "");
        return exception is JsonValueException
            ? new JsonValueException(exception.Message, path)
            : new System.Text.Json.JsonException(exception.Message, path, null, null, exception);
    }

    /// <summary>An import with no rows (an empty array or file, or a JSON null) is a mistake, not a no-op.</summary>
    public static ValidationProblem NoRows() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["The import holds no rows."] }, detail: "The import holds no rows.");

    public static ProblemHttpResult UnsupportedMediaType(params string[] accepted) =>
        TypedResults.Problem(ApiProblems.Create(StatusCodes.Status415UnsupportedMediaType,
            $"Send the import as {string.Join(" or ", accepted)}."));
}
