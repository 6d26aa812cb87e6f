using Microsoft.Extensions.DependencyInjection;

namespace NewsLens.Api.Tests.Storage;

public class StoryChangesTests(NewsLensFactory factory) : ApiTests(factory)
{
    [Fact]
    public void AChangeMovesOnlyTheStoriesNamedAndAChangeOfAllMovesEvery()
    {
        var changes = new StoryChanges();
        var (one, two) = (changes.Generation(1), changes.Generation(2));

        changes.Changed([1]);
        Assert.NotEqual(one, changes.Generation(1));
        Assert.Equal(two, changes.Generation(2));

        var (afterOne, afterTwo) = (changes.Generation(1), changes.Generation(2));
        changes.ChangedAll();
        Assert.NotEqual(afterOne, changes.Generation(1));
        Assert.NotEqual(afterTwo, changes.Generation(2));
    }

    [Fact]
    public async Task AWriteMovesTheGenerationOfTheStoriesItTouchedAndNoOther()
    {
        var outlet = await Api.CreateOutletAsync("left");
        var (read, written) = (await Api.CreateStoryAsync(), await Api.CreateStoryAsync());
        var changes = Factory.Services.GetRequiredService<Database>().Changes;
        var (readId, writtenId) = ((long)read["id"]!, (long)written["id"]!);
        var (readBefore, writtenBefore) = (changes.Generation(readId), changes.Generation(writtenId));

        await Api.LinkAsync(written, await Api.CreateArticleAsync(outlet));

        Assert.Equal(readBefore, changes.Generation(readId));
        Assert.NotEqual(writtenBefore, changes.Generation(writtenId));
    }
}
