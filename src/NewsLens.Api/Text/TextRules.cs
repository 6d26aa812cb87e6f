using System.Globalization;

namespace NewsLens.Api.Text;

/// <summary>
/// What a name, title or summary may contain: no control characters (a summary may hold line breaks and
/// tabs), no lone surrogates, and at least one visible character, so a text cannot be empty to the eye
/// (only zero-width or format characters) or carry terminal escapes and NULs into other systems.
/// </summary>
public static class TextRules
{
    public const string Message = "must contain visible text and no control characters.";

    public static bool IsClean(string? text, bool allowLineBreaks = false)
    {
        if (text is null)
        {
            return true;
        }

        var visible = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                visible = true;
                i++;
                continue;
            }

            if (char.IsLowSurrogate(c))
            {
                return false;
            }

            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control when !(allowLineBreaks && c is '\n' or '\r' or '\t'):
                    return false;
                case UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    break;
                default:
                    visible = true;
                    break;
            }
        }

        return visible;
    }
}
