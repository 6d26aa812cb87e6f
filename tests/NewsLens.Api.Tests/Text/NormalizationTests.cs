
namespace NewsLens.Api.Tests.Text;

public class DomainNameTests
{
    [Theory]
    [InlineData("https://WWW.Example.com/news?x=1", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("  Example.COM  ", "example.com")]
    [InlineData("www.bbc.co.uk", "bbc.co.uk")]
    [InlineData("http://edition.cnn.com:8080/world", "edition.cnn.com")]
    [InlineData("example.com/path/only", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("https://bücher.de", "xn--bcher-kva.de")]
    [InlineData("xn--bcher-kva.de", "xn--bcher-kva.de")]
    [InlineData("a-b.example", "a-b.example")]
    public void NormalizesHostsAndUrls(string input, string expected)
    {
        Assert.True(DomainName.TryNormalize(input, out var domain));
        Assert.Equal(expected, domain);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("localhost")]
    [InlineData("com")]
    [InlineData("192.168.1.1")]
    [InlineData("http://[::1]/")]
    [InlineData("ftp://example.com")]
    [InlineData("exa mple.com")]
    [InlineData("-bad.example")]
    [InlineData("bad-.example")]
    [InlineData("under_score.example")]
    [InlineData("example.123")]
    [InlineData("https://user:pass@example.com/")]
    [InlineData("..")]
    [InlineData("www.")]
    public void RejectsWhatIsNotAHostNameWithADot(string input)
    {
        Assert.False(DomainName.TryNormalize(input, out _));
    }

    [Theory]
    [InlineData("ｓｅｅｄ３.example", "seed3.example")]                 // full-width letters and digit
    [InlineData("ＳＥＥＤ３．ＥＸＡＭＰＬＥ", "seed3.example")]             // full-width capitals and full-width dot
    [InlineData("seed3。example", "seed3.example")]                   // ideographic full stop
    [InlineData("seed3｡example", "seed3.example")]                    // half-width ideographic full stop
    [InlineData("https://ｗｗｗ．ｓｅｅｄ３．example/ｘ", "seed3.example")]   // www. is stripped after mapping
    [InlineData("seed3.example。", "seed3.example")]                  // a trailing separator of any kind
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]           // upper-case Unicode
    [InlineData("ＢÜＣＨＥＲ.example", "xn--bcher-kva.example")]
    [InlineData("bu\u0308cher.example", "xn--bcher-kva.example")]     // decomposed ü is composed first (NFC)
    [InlineData("faß.de", "xn--fa-hia.de")]                           // ß kept (nontransitional), as browsers do
    [InlineData("FASS.de", "fass.de")]
    [InlineData("ﬁnance.example", "finance.example")]                 // compatibility ligature
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]    // already punycode: unchanged
    [InlineData("XN--BCHER-KVA.example", "xn--bcher-kva.example")]
    public void MapsHostsAsBrowsersDoUnderUts46(string input, string expected)
    {
        Assert.True(DomainName.TryNormalize(input, out var domain));
        Assert.Equal(expected, domain);
    }

    [Theory]
    [InlineData("xn--bh7ckdca2e.example")]   // punycode of the full-width "ｓｅｅｄ３": a spelling no browser produces
    [InlineData("ｅｘａｍｐｌｅ.com／")]           // a full-width solidus maps to "/", which is not part of a host
    [InlineData("a\u2488.example")]          // "⒈" maps to "1.", an empty label
    public void RefusesHostsThatUts46Refuses(string input)
    {
        Assert.False(DomainName.TryNormalize(input, out _));
    }

    [Fact]
    public void RejectsLabelsOverSixtyThreeCharacters()
    {
        Assert.True(DomainName.TryNormalize(new string('a', 63) + ".example", out _));
        Assert.False(DomainName.TryNormalize(new string('a', 64) + ".example", out _));
    }

    [Fact]
    public void ListsTheHostAndItsParentDomainsMostSpecificFirst()
    {
        Assert.Equal(["a.edition.cnn.com", "edition.cnn.com", "cnn.com"], DomainName.SelfAndParents("a.edition.cnn.com"));
        Assert.Equal(["cnn.com"], DomainName.SelfAndParents("cnn.com"));
    }
}

public class ArticleUrlTests
{
    [Theory]
    [InlineData("HTTPS://Example.COM/News/Story?id=7", "https://example.com/News/Story?id=7")]
    [InlineData("https://example.com:443/a", "https://example.com/a")]
    [InlineData("http://example.com:80/a", "http://example.com/a")]
    [InlineData("https://example.com:8443/a", "https://example.com:8443/a")]
    [InlineData("https://example.com/a#section-2", "https://example.com/a")]
    [InlineData("https://example.com/a?utm_source=x&id=1&UTM_Medium=y&utm_campaign=z", "https://example.com/a?id=1")]
    [InlineData("https://example.com/a?utm_source=x", "https://example.com/a")]
    [InlineData("https://example.com/a?b=2&a=1", "https://example.com/a?b=2&a=1")]
    [InlineData("https://example.com", "https://example.com/")]
    [InlineData("https://user:secret@example.com/a", "https://example.com/a")]
    [InlineData("https://www.example.com/a", "https://www.example.com/a")]
    [InlineData("https://bücher.de/a", "https://xn--bcher-kva.de/a")]
    [InlineData("https://ｓｅｅｄ３．example/a?id=1", "https://seed3.example/a?id=1")]
    [InlineData("https://ｗｗｗ。ＳＥＥＤ３.example:443/a", "https://www.seed3.example/a")]
    [InlineData("https://BÜCHER.example/a", "https://xn--bcher-kva.example/a")]
    [InlineData("https://faß.de/a", "https://xn--fa-hia.de/a")]
    public void Canonicalizes(string input, string expected)
    {
        Assert.True(ArticleUrl.TryCanonicalize(input, out var canonical, out _));
        Assert.Equal(expected, canonical);
    }

    [Theory]
    [InlineData("https://www.Edition.CNN.com/x", "edition.cnn.com")]
    [InlineData("https://example.com/x", "example.com")]
    [InlineData("https://ｗｗｗ．ｓｅｅｄ３．example/x", "seed3.example")]
    public void ReportsTheNormalizedHostForOutletResolution(string input, string expectedHost)
    {
        Assert.True(ArticleUrl.TryCanonicalize(input, out _, out var host));
        Assert.Equal(expectedHost, host);
    }

    [Theory]
    [InlineData("example.com/a")]
    [InlineData("/relative/path")]
    [InlineData("ftp://example.com/a")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://localhost/a")]
    [InlineData("https://10.0.0.1/a")]
    [InlineData("mailto:someone@example.com")]
    [InlineData("")]
    public void RejectsWhatIsNotAnAbsoluteHttpUrlOnAHostName(string input)
    {
        Assert.False(ArticleUrl.TryCanonicalize(input, out _, out _));
    }

    [Fact]
    public void RejectsUrlsLongerThanTheLimit()
    {
        var url = "https://example.com/" + new string('a', ArticleUrl.MaxLength);
        Assert.False(ArticleUrl.TryCanonicalize(url, out _, out _));
    }
}

public class CountryCodeTests
{
    [Theory]
    [InlineData("us", "US")]
    [InlineData("GB", "GB")]
    [InlineData(" de ", "DE")]
    public void AcceptsAssignedCodesInAnyCase(string input, string expected)
    {
        Assert.True(CountryCode.TryNormalize(input, out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData("UK")]
    [InlineData("XX")]
    [InlineData("USA")]
    [InlineData("")]
    public void RejectsUnassignedOrMalformedCodes(string input)
    {
        Assert.False(CountryCode.TryNormalize(input, out _));
    }
}

public class TextRulesTests
{
    [Theory]
    [InlineData("Reuters", false, true)]
    [InlineData("Le Monde 🇫🇷", false, true)]
    [InlineData("کیهان\u200Cلندن", false, true)]     // a zero-width non-joiner inside visible Persian text
    [InlineData("Two\nlines", true, true)]
    [InlineData("Two\nlines", false, false)]
    [InlineData("tab\there", true, true)]
    [InlineData("\u200B\u200B", false, false)]        // only zero-width spaces
    [InlineData("\u202E", false, false)]              // only a direction override
    [InlineData("bell\u0007", false, false)]
    [InlineData("nul\u0000", true, false)]
    [InlineData("esc\u001B[31m", false, false)]
    [InlineData("   ", false, false)]
    public void TextMustBeVisibleAndFreeOfControlCharacters(string text, bool allowLineBreaks, bool clean)
    {
        Assert.Equal(clean, NewsLens.Api.Text.TextRules.IsClean(text, allowLineBreaks));
    }

    [Fact]
    public void LoneSurrogatesAreRefused()
    {
        // Built at run time: a lone surrogate cannot survive as a literal in test data.
        Assert.False(NewsLens.Api.Text.TextRules.IsClean("lone " + (char)0xD800 + " high"));
        Assert.False(NewsLens.Api.Text.TextRules.IsClean("lone " + (char)0xDC00 + " low"));
        Assert.True(NewsLens.Api.Text.TextRules.IsClean("pair " + char.ConvertFromUtf32(0x1F600)));
    }
}

public class DomainSpoofingTests
{
    [Theory]
    [InlineData("ex\u0430mple.com")]      // Cyrillic а among Latin letters
    [InlineData("p\u0430ypal.com")]
    [InlineData("g\u03BFogle.com")]       // Greek ο
    [InlineData("exa\u200Bmple.com")]     // zero-width space, which IDNA would drop silently
    [InlineData("exa\u00ADmple.com")]     // soft hyphen
    [InlineData("example.com\u202E")]
    public void MixedScriptAndInvisibleCharactersAreRefused(string domain)
    {
        Assert.False(NewsLens.Api.Text.DomainName.TryNormalize(domain, out _));
        Assert.False(NewsLens.Api.Text.ArticleUrl.TryCanonicalize($"https://{domain}/a", out _, out _));
    }

    [Theory]
    [InlineData("пример.рф")]             // all Cyrillic
    [InlineData("ελληνικά.gr")]           // all Greek
    [InlineData("bücher.de")]
    public void SingleScriptInternationalNamesAreAccepted(string domain)
    {
        Assert.True(NewsLens.Api.Text.DomainName.TryNormalize(domain, out var normalized));
        Assert.StartsWith("xn--", normalized);
    }
}
