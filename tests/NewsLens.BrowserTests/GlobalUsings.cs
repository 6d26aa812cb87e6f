global using NewsLens.BrowserTests.TestSupport;
