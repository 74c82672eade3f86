using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Nsmt.Report.Tests;

/// <summary>
/// The report as a reader sees it: headless Chromium at a desktop and a phone width must show it without a
/// horizontal scrollbar, with every figure, image and audio clip loaded, no text cut off at a figure's edge and no
/// console errors; a full-page screenshot of each width lands in the test output for a person to look at.
/// </summary>
public sealed partial class BrowserLayoutTests(RealisticInputs inputs, ITestOutputHelper output)
    : IClassFixture<RealisticInputs>
{
    /// <summary>Where the screenshots go: next to the test assembly, under report-screenshots/.</summary>
    public static string ScreenshotDirectory => Path.Combine(AppContext.BaseDirectory, "report-screenshots");

    // Runs after the load event and after every audio element has its metadata (or failed), then posts what it
    // measured to the frame around the page, which writes it where --dump-dom shows it. Only the test copy of the
    // page carries it.
    private const string Probe = """
        <script>
        window.addEventListener('load', function () {
          function measure() {
            var vw = window.innerWidth, r = { viewport: vw, scrollWidth: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight,
              images: 0, brokenImages: [], svgs: 0, emptySvgs: [], audios: 0, brokenAudios: [], wide: [], clippedText: [] };
            document.querySelectorAll('img').forEach(function (img, i) { r.images++; if (!(img.complete && img.naturalWidth > 0)) r.brokenImages.push(img.alt || String(i)); });
            document.querySelectorAll('audio').forEach(function (a, i) { r.audios++; if (a.error || !(a.duration > 0)) r.brokenAudios.push(i + ': ' + (a.error ? 'error ' + a.error.code : 'duration ' + a.duration)); });
            document.querySelectorAll('svg').forEach(function (svg, i) {
              if (svg.parentElement.closest('svg')) return;
              r.svgs++;
              var b = svg.getBoundingClientRect();
              if (!(b.width > 0 && b.height > 0)) r.emptySvgs.push(i);
              svg.querySelectorAll('text').forEach(function (t) {
                var tb = t.getBoundingClientRect();
                if (tb.width > 0 && (tb.left < b.left - 1 || tb.right > b.right + 1 || tb.top < b.top - 1 || tb.bottom > b.bottom + 1))
                  r.clippedText.push(t.textContent + ' [' + Math.round(tb.left - b.left) + '..' + Math.round(tb.right - b.left) + ' of ' + Math.round(b.width) + ']');
              });
            });
            document.querySelectorAll('body *').forEach(function (el) {
              if (el.parentElement && el.parentElement.closest('svg, .scroll, pre')) return;
              var b = el.getBoundingClientRect();
              if (b.right > vw + 0.5 || b.left < -0.5) r.wide.push(el.tagName + (el.id ? '#' + el.id : '') + ' ' + Math.round(b.left) + '..' + Math.round(b.right));
            });
            if (window.parent !== window) window.parent.postMessage(JSON.stringify(r), '*');
          }
          var waits = Array.prototype.map.call(document.querySelectorAll('audio'), function (a) {
            return a.readyState >= 1 ? Promise.resolve() : new Promise(function (done) { a.addEventListener('loadedmetadata', done); a.addEventListener('error', done); setTimeout(done, 5000); });
          });
          Promise.all(waits).then(measure);
        });
        </script>
        """;

    [ChromiumTheory]
    [InlineData(1280, 900, "desktop")]
    [InlineData(390, 844, "phone")]
    public async Task Fits_the_viewport_with_every_figure_loaded_and_no_console_errors(
        int width,
        int height,
        string name
    )
    {
        using var measured = await Measure(inputs.Index, width, height, name);
        var m = measured.RootElement;
        output.WriteLine($"{name}: {m}");

        Assert.Equal(width, m.GetProperty("viewport").GetInt32());
        Assert.True(
            m.GetProperty("scrollWidth").GetInt32() <= width,
            $"the page is {m.GetProperty("scrollWidth")} px wide in a {width} px viewport; too wide: {m.GetProperty("wide")}"
        );
        Assert.True(
            m.GetProperty("wide").GetArrayLength() == 0,
            $"elements reach past the viewport: {m.GetProperty("wide")}"
        );
        Assert.True(
            m.GetProperty("clippedText").GetArrayLength() == 0,
            $"text cut off at a figure's edge: {m.GetProperty("clippedText")}"
        );

        // Every figure of the input is there and loaded: curves (3) + histograms (2) + confusion (2) + diagram (1)
        // + amp curves (2) + amp waveform (1) inline; 16 spectrogram tiles; 3 clips.
        Assert.True(
            m.GetProperty("svgs").GetInt32() >= 11,
            $"expected at least 11 inline SVG figures, found {m.GetProperty("svgs")}"
        );
        Assert.True(
            m.GetProperty("emptySvgs").GetArrayLength() == 0,
            $"SVG figures drawn with no size: {m.GetProperty("emptySvgs")}"
        );
        Assert.Equal(DatasetSection.SheetSize, m.GetProperty("images").GetInt32());
        Assert.True(
            m.GetProperty("brokenImages").GetArrayLength() == 0,
            $"images that did not load: {m.GetProperty("brokenImages")}"
        );
        Assert.Equal(3, m.GetProperty("audios").GetInt32());
        Assert.True(
            m.GetProperty("brokenAudios").GetArrayLength() == 0,
            $"audio clips that did not load: {m.GetProperty("brokenAudios")}"
        );

        // A full-page screenshot of the page as shipped (without the probe), for a person to look at.
        Directory.CreateDirectory(ScreenshotDirectory);
        var screenshot = Path.Combine(ScreenshotDirectory, $"report-{name}-{width}x{height}.png");
        var pageHeight = Math.Clamp(m.GetProperty("height").GetInt32(), height, 30000);
        var shown = Framed(inputs.Index, width, pageHeight, listen: false);
        var shot = await Chromium.Run(
            [
                $"--window-size={width},{pageHeight}",
                "--virtual-time-budget=5000",
                $"--screenshot={screenshot}",
                new Uri(shown).AbsoluteUri,
            ],
            TimeSpan.FromMinutes(3)
        );
        Assert.True(shot.ExitCode == 0 && File.Exists(screenshot), $"no screenshot: {Tail(shot.Stderr)}");
        File.Copy(inputs.Index, Path.Combine(ScreenshotDirectory, "index.html"), overwrite: true);
        output.WriteLine($"screenshot: {screenshot}");
        Console.WriteLine($"report screenshot ({name}): {screenshot}");
    }

    [ChromiumFact]
    public async Task The_probe_reports_a_page_too_wide_a_title_cut_off_and_a_broken_image()
    {
        // The measurements above can fail: a page with each fault, measured the same way.
        var bad = Path.Combine(Path.GetDirectoryName(inputs.Index)!, "bad.html");
        await File.WriteAllTextAsync(
            bad,
            "<!DOCTYPE html><html><body><div style=\"width:1600px\">wide</div>"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"50\" viewBox=\"0 0 200 50\"><text x=\"100\" y=\"20\" text-anchor=\"middle\" font-size=\"16\">a title far wider than the figure it belongs to</text></svg>"
                + "<img alt=\"broken\" src=\"data:image/png;base64,AAAA\"></body></html>"
        );
        using var measured = await Measure(bad, 1280, 900, "bad");
        var m = measured.RootElement;
        Assert.True(m.GetProperty("scrollWidth").GetInt32() > 1280, m.ToString());
        Assert.Equal(1, m.GetProperty("clippedText").GetArrayLength());
        Assert.Equal(1, m.GetProperty("brokenImages").GetArrayLength());
        Assert.NotEqual(0, m.GetProperty("wide").GetArrayLength());
    }

    /// <summary>
    /// Opens a copy of <paramref name="page"/> carrying the probe in a frame of the viewport's size and returns what
    /// the probe measured; fails on a chromium error or any console message.
    /// </summary>
    private static async Task<JsonDocument> Measure(string page, int width, int height, string name)
    {
        var html = await File.ReadAllTextAsync(page);
        var probed = Path.Combine(Path.GetDirectoryName(page)!, $"probe-{name}.html");
        await File.WriteAllTextAsync(probed, html.Replace("</body>", Probe + "\n</body>", StringComparison.Ordinal));

        // Headless Chromium will not make a window narrower than 500 px: the page goes into a frame of exactly the
        // viewport's size, which is what the page's layout and media queries see (as on a phone).
        var frame = Framed(probed, width, height, listen: true);
        var (code, dom, log) = await Chromium.Run(
            [
                $"--window-size={Math.Max(width, 500)},{height}",
                "--virtual-time-budget=15000",
                "--dump-dom",
                new Uri(frame).AbsoluteUri,
            ],
            TimeSpan.FromMinutes(3)
        );
        Assert.True(code == 0, $"chromium exited with {code}: {Tail(log)}");
        var console = Chromium.ConsoleLines(log);
        Assert.True(console.Count == 0, "console messages: " + string.Join("\n", console));
        var match = MeasureElement().Match(dom);
        Assert.True(match.Success, $"the page's probe wrote no measurements (did the load event fire?): {Tail(log)}");
        return JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(match.Groups[1].Value));
    }

    /// <summary>A page that shows <paramref name="page"/> in a frame of the given size (and, to listen, records the probe's message).</summary>
    private static string Framed(string page, int width, int height, bool listen)
    {
        var path = Path.Combine(
            Path.GetDirectoryName(page)!,
            $"frame-{Path.GetFileNameWithoutExtension(page)}-{width}x{height}.html"
        );
        var script = listen
            ? "<script>window.addEventListener('message', function (e) { var out = document.createElement('pre'); out.id = 'nsmt-measure'; out.textContent = e.data; document.body.appendChild(out); });</script>"
            : "";
        File.WriteAllText(
            path,
            $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><style>body{{margin:0}}iframe{{border:0;display:block;width:{width}px;height:{height}px}}</style></head>"
                + $"<body><iframe src=\"{Path.GetFileName(page)}\"></iframe>{script}</body></html>\n"
        );
        return path;
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];

    [GeneratedRegex("<pre id=\"nsmt-measure\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex MeasureElement();
}
