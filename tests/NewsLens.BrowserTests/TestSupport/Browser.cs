using System.Diagnostics;
using System.Drawing;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace NewsLens.BrowserTests.TestSupport;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Browser>
{
    public const string Name = "browser";
}

/// <summary>
/// One headless Chromium (Debian's <c>chromium</c>, driven by its <c>chromedriver</c>) for every browser test, pointed
/// at a running server. The browser and the driver are named by path, so Selenium Manager never runs and nothing is
/// downloaded. Started on first use, so a run without a server starts no browser.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string BaseUrlVariable = "NEWSLENS_BROWSER_BASE_URL";

    public static readonly Size Desktop = new(1280, 900);
    public static readonly Size Phone = new(360, 800);

    public static string? BaseUrl => Environment.GetEnvironmentVariable(BaseUrlVariable) is { Length: > 0 } url ? url.TrimEnd('/') : null;

    /// <summary>Where screenshots go: <c>NEWSLENS_BROWSER_OUTPUT</c>, else tests/browser/output.</summary>
    public static string OutputFolder =>
        Environment.GetEnvironmentVariable("NEWSLENS_BROWSER_OUTPUT") is { Length: > 0 } folder ? folder : Path.Combine(RepositoryRoot(), "tests", "browser", "output");

    private readonly Lazy<ChromeDriver> driver = new(Start);

    public ChromeDriver Driver => driver.Value;

    /// <summary>The public API, for checking what the page shows against what the API answers.</summary>
    public HttpClient Api { get; } = new() { BaseAddress = new Uri((BaseUrl ?? "http://127.0.0.1") + "/") };

    private static ChromeDriver Start()
    {
        var service = ChromeDriverService.CreateDefaultService(
            Path.GetDirectoryName(Setting("CHROMEDRIVER", "/usr/bin/chromedriver"))!, Path.GetFileName(Setting("CHROMEDRIVER", "/usr/bin/chromedriver")));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Setting("CHROMIUM", "/usr/bin/chromium") };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
            "--force-device-scale-factor=1", $"--window-size={Desktop.Width},{Desktop.Height}", "--lang=en-GB",
            "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--force-color-profile=srgb", "--font-render-hinting=none");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        var chrome = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        chrome.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(30);
        return chrome;
    }

    private static string Setting(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    /// <summary>Opens a dashboard route (<c>#/stories/1</c>) in a fresh document at a viewport size, with the browser log emptied.</summary>
    public void Open(string route, Size? viewport = null)
    {
        Viewport(viewport ?? Desktop);
        Driver.Navigate().GoToUrl("about:blank");
        TakeLog();
        Driver.Navigate().GoToUrl($"{BaseUrl}/dashboard{route}");
        WaitUntil(() => Script("return document.body.dataset.view || ''") is string view && view.Length > 0, "the dashboard to render a view");
    }

    /// <summary>The viewport, in CSS pixels at a device scale of 1, as a device would set it.</summary>
    public void Viewport(Size size) =>
        Driver.ExecuteCdpCommand("Emulation.setDeviceMetricsOverride", new Dictionary<string, object?>
        {
            ["width"] = size.Width, ["height"] = size.Height, ["deviceScaleFactor"] = 1, ["mobile"] = false,
        });

    public object? Script(string script, params object[] args) => Driver.ExecuteScript(script, args);

    public T WaitUntil<T>(Func<T?> probe, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        Exception? last = null;
        while (clock.Elapsed < (timeout ?? TimeSpan.FromSeconds(15)))
        {
            try
            {
                var value = probe();
                if (value is not null && !(value is bool b && !b))
                {
                    return value;
                }
            }
            catch (WebDriverException e)
            {
                last = e;
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"Waited {clock.Elapsed.TotalSeconds:0.0} s for {what}.", last);
    }

    public IWebElement WaitFor(string css) =>
        WaitUntil(() => Driver.FindElements(By.CssSelector(css)).FirstOrDefault(e => e.Displayed), $"an element '{css}'");

    /// <summary>Every browser log entry since the last call (console messages, failed loads, policy violations).</summary>
    public IReadOnlyList<LogEntry> TakeLog() => Driver.Manage().Logs.GetLog(LogType.Browser);

    /// <summary>The browser's own errors since the last call: console errors, failed loads, refused scripts or styles.</summary>
    public IReadOnlyList<string> TakeErrors() =>
        TakeLog().Where(e => e.Level >= LogLevel.Severe).Select(e => $"{e.Level}: {e.Message}").ToList();

    /// <summary>
    /// Saves the page as a PNG in the output folder: the whole page (the viewport stretched to the document's height),
    /// or what the viewport shows.
    /// </summary>
    public string SaveScreenshot(string name, Size viewport, bool wholePage = true)
    {
        var height = wholePage ? Convert.ToInt32(Script("return Math.ceil(document.documentElement.scrollHeight)")) : viewport.Height;
        Viewport(new Size(viewport.Width, Math.Clamp(height, viewport.Height, 8000)));
        Thread.Sleep(100);
        Directory.CreateDirectory(OutputFolder);
        var path = Path.Combine(OutputFolder, name + ".png");
        Driver.GetScreenshot().SaveAsFile(path);
        Viewport(viewport);
        return path;
    }

    public async Task<JsonNode> GetJsonAsync(string path) =>
        (await Api.GetFromJsonAsync<JsonNode>(path.TrimStart('/')))!;

    /// <summary>Every item of an API list, following nextCursor.</summary>
    public async Task<List<JsonNode>> GetAllAsync(string path)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var page = await GetJsonAsync(cursor is null ? path : $"{path}{(path.Contains('?') ? '&' : '?')}cursor={Uri.EscapeDataString(cursor)}");
            items.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string?)page["nextCursor"];
        }
        while (cursor is not null);
        return items;
    }

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "NewsLens.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("NewsLens.sln not found above the test assembly.");
    }

    public void Dispose()
    {
        if (driver.IsValueCreated)
        {
            driver.Value.Quit();
        }

        Api.Dispose();
    }
}
