namespace NewsLens.Api.Tests.Http;

public class HostPathsTests
{
    [Fact]
    public void ThePublishedServerReadsTheSettingsBesideItWhateverItsWorkingFolder()
    {
        Assert.Equal(AppContext.BaseDirectory, HostPaths.Options([]).ContentRootPath);
        Assert.Null(HostPaths.Options(["--contentRoot=/srv/newslens"]).ContentRootPath);
        Assert.Null(HostPaths.Options(["--contentroot", "/srv/newslens"]).ContentRootPath);
    }
}
