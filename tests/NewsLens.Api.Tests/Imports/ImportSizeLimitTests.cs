using System.Net;
using System.Text;

namespace NewsLens.Api.Tests.Imports;

public sealed class SmallImportFactory : NewsLensFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Imports:MaxBodyBytes", "2048")];
}

public class ImportSizeLimitTests(SmallImportFactory factory) : IClassFixture<SmallImportFactory>
{
    [Fact]
    public async Task TheImportBodyLimitIsConfigurable()
    {
        var csv = "name,domain\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"Outlet {i},o{i}.example\n"));

        var response = await factory.CreateClient().PostAsync("/v1/outlets/import", new StringContent(csv, Encoding.UTF8, "text/csv"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("2,048 bytes", (string?)problem["detail"]);
    }
}
