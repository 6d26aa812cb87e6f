using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using NewsLens.Api.Imports;

namespace NewsLens.Api.Tests.Imports;

/// <summary>Record framing of import bodies: boundaries, limits, UTF-8, and independence from how the body is chunked.</summary>
public class ImportRecordsTests
{
    private static List<(long Row, string? Text, RecordFault Fault)> Frame(RecordFramer framer, byte[] body, int chunk = 4096)
    {
        for (var i = 0; i < body.Length; i += chunk)
        {
            framer.Feed(body.AsSpan(i, Math.Min(chunk, body.Length - i)));
        }

        framer.Complete();
        return [.. framer.Completed.Select(r => (r.Row, r.Fault == RecordFault.None ? Encoding.UTF8.GetString(r.Bytes.Span) : null, r.Fault))];
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void NdJsonLinesAreRowsAndBlankLinesAreSkipped()
    {
        var records = Frame(new NdJsonFramer(1024), Utf8("\uFEFF{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}"));

        Assert.Equal([(1L, "{\"a\":1}", RecordFault.None), (2L, "{\"b\":2}", RecordFault.None), (3L, "{\"c\":3}", RecordFault.None)], records);
    }

    [Fact]
    public void ALineOverTheLimitIsAFaultAndTheNextLineIsReadAsUsual()
    {
        var body = Utf8("{\"a\":1}\n" + new string('x', 10_000) + "\n{\"c\":3}\n");

        var records = Frame(new NdJsonFramer(1024), body, chunk: 100);

        Assert.Equal([(1L, "{\"a\":1}", RecordFault.None), (2L, null, RecordFault.TooLong), (3L, "{\"c\":3}", RecordFault.None)], records);
    }

    [Fact]
    public void AnEndlessLineIsScannedWithoutBeingHeld()
    {
        var framer = new NdJsonFramer(64 * 1024);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        framer.Feed(chunk);
        var before = GC.GetAllocatedBytesForCurrentThread();

        for (var i = 0; i < 160; i++)   // 10 MiB more of the same line
        {
            framer.Feed(chunk);
        }

        framer.Feed("\n"u8);
        framer.Complete();
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024, "The framer allocated while it skipped a long line.");
        Assert.Equal(RecordFault.TooLong, framer.Completed.Single().Fault);
    }

    [Fact]
    public void InvalidUtf8IsAFaultOfItsRowOnly()
    {
        var body = Utf8("{\"a\":\"ok\"}\n").Concat(new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}', (byte)'\n' }).Concat(Utf8("{\"é\":1}\n")).ToArray();

        var records = Frame(new NdJsonFramer(1024), body);

        Assert.Equal([RecordFault.None, RecordFault.NotUtf8, RecordFault.None], records.Select(r => r.Fault));
        Assert.Equal("{\"é\":1}", records[2].Text);
    }

    [Fact]
    public void CsvRecordsKeepQuotedCommasLineBreaksAndDoubledQuotes()
    {
        var body = Utf8("name,domain\r\n\"Example, Inc.\",\"a.example\"\r\n\r\n\"Two \"\"Quoted\"\"\", b.example ,\"note\nover two lines\"\n  \"c\" ,c.example");

        var records = Frame(new CsvFramer(1024), body, chunk: 3);

        Assert.Equal([0L, 1, 2, 3], records.Select(r => r.Row));
        Assert.Equal(["name", "domain"], CsvFields.Split(Utf8(records[0].Text!)));
        Assert.Equal(["Example, Inc.", "a.example"], CsvFields.Split(Utf8(records[1].Text!)));
        Assert.Equal(["Two \"Quoted\"", "b.example", "note\nover two lines"], CsvFields.Split(Utf8(records[2].Text!)));
        Assert.Equal(["c", "c.example"], CsvFields.Split(Utf8(records[3].Text!)));
    }

    [Fact]
    public void ACsvRecordOverTheLimitIsAFaultEvenInsideQuotes()
    {
        var body = Utf8("name,domain\n\"" + new string('x', 5000) + "\n,still quoted\",x.example\nOk,ok.example\n");

        var records = Frame(new CsvFramer(1024), body);

        Assert.Equal([(0L, "name,domain", RecordFault.None), (1L, null, RecordFault.TooLong), (2L, "Ok,ok.example", RecordFault.None)], records);
    }

    [Theory]
    [InlineData("[{\"a\":\"]\\\"}\"},{\"b\":[1,{\"c\":2}]} , 3, \"s,]\", null ,true]", new[] { "{\"a\":\"]\\\"}\"}", "{\"b\":[1,{\"c\":2}]}", "3", "\"s,]\"", "null", "true" })]
    [InlineData("  [ ]  ", new string[0])]
    [InlineData("null", new string[0])]
    [InlineData("", new string[0])]
    [InlineData("\uFEFF[{}]", new[] { "{}" })]
    public void JsonArrayElementsAreRecords(string body, string[] elements)
    {
        foreach (var chunk in new[] { 1, 2, 7, 4096 })
        {
            var records = Frame(new JsonArrayFramer(1024), Utf8(body), chunk);
            Assert.Equal(elements, records.Select(r => r.Text));
            Assert.Equal(Enumerable.Range(1, elements.Length).Select(i => (long)i), records.Select(r => r.Row));
        }
    }

    [Fact]
    public void AJsonElementOverTheLimitIsAFaultAndTheNextIsRead()
    {
        var body = Utf8("[{\"title\":\"" + new string('x', 5000) + "\"}, \"" + new string('y', 5000) + "\", {\"ok\":1}]");

        var records = Frame(new JsonArrayFramer(1024), body, chunk: 64);

        Assert.Equal([(1L, null, RecordFault.TooLong), (2L, null, RecordFault.TooLong), (3L, "{\"ok\":1}", RecordFault.None)], records);
    }

    [Theory]
    [InlineData("{\"a\":1}", "$")]
    [InlineData("[{\"a\":1},]", "$[1]")]
    [InlineData("[{\"a\":1} {\"b\":2}]", "$[0]")]
    [InlineData("[{\"a\":1}", "$[0]")]
    [InlineData("[{\"a\":\"open", "$[0]")]
    [InlineData("[1] x", "$")]
    [InlineData("nul", "$")]
    [InlineData("nullx", "$")]
    public void MalformedArraysThrowWithTheElementsPath(string body, string path)
    {
        var exception = Assert.Throws<JsonException>(() => Frame(new JsonArrayFramer(1024), Utf8(body)));

        Assert.Equal(path, exception.Path);
    }

    [Fact]
    public async Task RecordsStreamFromAPipeAsTheyArrive()
    {
        var pipe = new Pipe();
        var records = ImportRecords.ReadAsync(pipe.Reader, new NdJsonFramer(1024), CancellationToken.None).GetAsyncEnumerator();

        await pipe.Writer.WriteAsync(Utf8("{\"a\":1}\n{\"b\""));
        Assert.True(await records.MoveNextAsync());
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(records.Current.Bytes.Span));

        var next = records.MoveNextAsync().AsTask();
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        await pipe.Writer.WriteAsync(Utf8(":2}\n"));
        await pipe.Writer.CompleteAsync();
        Assert.True(await next);
        Assert.Equal(2, records.Current.Row);
        Assert.False(await records.MoveNextAsync());
    }

    [Fact]
    public void FramingDoesNotDependOnChunkBoundaries()
    {
        var random = new Random(7);
        var lines = Enumerable.Range(0, 200).Select(i => random.Next(5) == 0 ? new string('z', 300) : $"{{\"i\":{i},\"s\":\"a,\\\"b\\\"\\n\"}}").ToList();
        var ndjson = Utf8(string.Join("\r\n", lines));
        var array = Utf8("[" + string.Join(",", lines.Select(l => l.StartsWith('z') ? $"\"{l}\"" : l)) + "]");
        var csv = Utf8(string.Join("\n", lines.Select(l => $"\"{l.Replace("\"", "\"\"")}\",x")));
        foreach (var (body, make) in new (byte[], Func<RecordFramer>)[] { (ndjson, () => new NdJsonFramer(256)), (array, () => new JsonArrayFramer(256)), (csv, () => new CsvFramer(256)) })
        {
            var whole = Frame(make(), body, body.Length);
            Assert.Equal(200, whole.Count);
            for (var trial = 0; trial < 20; trial++)
            {
                Assert.Equal(whole, Frame(make(), body, random.Next(1, 50)));
            }
        }
    }
}
