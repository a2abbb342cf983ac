using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NiSharp.Tests.Plotting;

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket on the loopback interface):
/// open a page, collect console errors and uncaught exceptions, evaluate script, click, take screenshots.
/// Tests skip when no Chromium is installed (<see cref="Executable"/> is null).
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ClientWebSocket _socket;
    private readonly string _profile;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextId;

    /// <summary>The Chromium executable, or null when none is installed.</summary>
    public static string? Executable { get; } = Find();

    private static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("NISHARP_CHROMIUM");
        foreach (var p in new[] { env, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
            if (!string.IsNullOrEmpty(p) && File.Exists(p)) return p;
        return null;
    }

    /// <summary>Console errors, uncaught exceptions and error log entries seen so far.</summary>
    public IReadOnlyCollection<string> Errors => _errors.ToArray();

    private HeadlessChromium(Process process, ClientWebSocket socket, string profile)
    {
        _process = process;
        _socket = socket;
        _profile = profile;
        _reader = Task.Run(ReadLoop);
    }

    /// <summary>Starts Chromium on about:blank and attaches to its page.</summary>
    public static async Task<HeadlessChromium> StartAsync(int width = 1280, int height = 900)
    {
        var exe = Executable ?? throw new InvalidOperationException("no Chromium");
        var profile = Directory.CreateTempSubdirectory("nisharp-chromium-").FullName;
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     // WebGL (niivue) on the CPU: SwiftShader through ANGLE.
                     "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                     "--disable-extensions", "--disable-sync", "--no-first-run", "--no-default-browser-check",
                     "--disable-component-update", "--mute-audio", "--hide-scrollbars",
                     "--remote-debugging-port=0", $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
                 })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start Chromium");
        _ = process.StandardOutput.ReadToEndAsync();
        string? browserWs = null;
        // Generous: on a loaded 2-core CI machine Chromium can take tens of seconds to start.
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (browserWs is null && DateTime.UtcNow < deadline)
        {
            var lineTask = process.StandardError.ReadLineAsync();
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !lineTask.Wait(left) || lineTask.Result is null) break;
            var line = lineTask.Result;
            int at = line.IndexOf("ws://", StringComparison.Ordinal);
            if (line.Contains("DevTools listening on", StringComparison.Ordinal) && at >= 0) browserWs = line[at..].Trim();
        }
        if (browserWs is null)
        {
            try { process.Kill(true); } catch (InvalidOperationException) { }
            throw new InvalidOperationException("Chromium did not print its DevTools address");
        }
        _ = Task.Run(async () => { while (await process.StandardError.ReadLineAsync() is not null) { } });
        var port = new Uri(browserWs).Port;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string? pageWs = null;
        for (int attempt = 0; attempt < 50 && pageWs is null; attempt++)
        {
            var list = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
            pageWs = list.FirstOrDefault(t => (string?)t!["type"] == "page")?["webSocketDebuggerUrl"]?.GetValue<string>();
            if (pageWs is null) await Task.Delay(100);
        }
        if (pageWs is null) throw new InvalidOperationException("Chromium has no page target");
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await socket.ConnectAsync(new Uri(pageWs), CancellationToken.None);
        var c = new HeadlessChromium(process, socket, profile);
        await c.SendAsync("Runtime.enable");
        await c.SendAsync("Log.enable");
        await c.SendAsync("Page.enable");
        return c;
    }

    /// <summary>Sends a DevTools command and waits for its result.</summary>
    public async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null, int timeoutSeconds = 90)
    {
        int id = Interlocked.Increment(ref _nextId);
        var tcs = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var msg = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(msg.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var done = await Task.WhenAny(tcs.Task, Task.Delay(TimeSpan.FromSeconds(timeoutSeconds)));
        if (done != tcs.Task) throw new TimeoutException($"DevTools {method} did not answer in {timeoutSeconds} s");
        var result = await tcs.Task;
        if (result["error"] is JsonNode err) throw new InvalidOperationException($"DevTools {method}: {err.ToJsonString()}");
        return result["result"]?.AsObject() ?? new JsonObject();
    }

    private async Task ReadLoop()
    {
        var buffer = new byte[1 << 16];
        var ms = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                ms.SetLength(0);
                WebSocketReceiveResult r;
                do
                {
                    r = await _socket.ReceiveAsync(buffer, _stop.Token);
                    ms.Write(buffer, 0, r.Count);
                } while (!r.EndOfMessage);
                if (r.MessageType == WebSocketMessageType.Close) break;
                var msg = JsonNode.Parse(ms.ToArray())!.AsObject();
                if (msg["id"] is JsonNode idNode && _pending.TryRemove(idNode.GetValue<int>(), out var tcs)) tcs.TrySetResult(msg);
                else if (msg["method"] is JsonNode m) OnEvent(m.GetValue<string>(), msg["params"]?.AsObject());
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
    }

    private void OnEvent(string method, JsonObject? p)
    {
        string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString();
        if (method == "Runtime.consoleAPICalled" && Str(p?["type"]) == "error")
        {
            var args = p!["args"]!.AsArray().Select(a => Str(a?["value"] ?? a?["description"]));
            _errors.Enqueue("console.error: " + string.Join(" ", args));
        }
        else if (method == "Runtime.exceptionThrown")
        {
            var d = p?["exceptionDetails"];
            _errors.Enqueue("exception: " + Str(d?["exception"]?["description"] ?? d?["text"]));
        }
        else if (method == "Log.entryAdded" && Str(p?["entry"]?["level"]) == "error")
        {
            _errors.Enqueue("log: " + Str(p!["entry"]!["text"]));
        }
        else if (method == "Page.loadEventFired")
        {
            _loaded.TrySetResult();
        }
    }

    /// <summary>Opens <paramref name="path"/> (a local file) and waits for its load event.</summary>
    public async Task OpenFileAsync(string path, int timeoutSeconds = 90)
    {
        _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await SendAsync("Page.navigate", new JsonObject { ["url"] = new Uri(Path.GetFullPath(path)).AbsoluteUri });
        var done = await Task.WhenAny(_loaded.Task, Task.Delay(TimeSpan.FromSeconds(timeoutSeconds)));
        if (done != _loaded.Task) throw new TimeoutException($"{path} did not load in {timeoutSeconds} s");
    }

    /// <summary>Evaluates a script expression (awaiting promises) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var r = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (r["exceptionDetails"] is JsonNode ex) throw new InvalidOperationException("script failed: " + ex.ToJsonString());
        return r["result"]?["value"]?.DeepClone();
    }

    /// <summary>Polls <paramref name="condition"/> (a script returning true) until it holds.</summary>
    public async Task<bool> WaitForAsync(string condition, int timeoutSeconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await EvaluateAsync($"!!({condition})") is JsonNode n && n.GetValue<bool>()) return true;
            await Task.Delay(100);
        }
        return false;
    }

    /// <summary>A left click at page coordinates (CSS pixels).</summary>
    public async Task ClickAsync(double x, double y)
    {
        await SendAsync("Input.dispatchMouseEvent", new JsonObject { ["type"] = "mouseMoved", ["x"] = x, ["y"] = y });
        await SendAsync("Input.dispatchMouseEvent", new JsonObject { ["type"] = "mousePressed", ["x"] = x, ["y"] = y, ["button"] = "left", ["buttons"] = 1, ["clickCount"] = 1 });
        await SendAsync("Input.dispatchMouseEvent", new JsonObject { ["type"] = "mouseReleased", ["x"] = x, ["y"] = y, ["button"] = "left", ["buttons"] = 0, ["clickCount"] = 1 });
    }

    /// <summary>A PNG screenshot of the viewport.</summary>
    public async Task<byte[]> ScreenshotAsync()
    {
        var r = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, 30);
        return Convert.FromBase64String(r["data"]!.GetValue<string>());
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try { await SendAsync("Browser.close", timeoutSeconds: 5); } catch (Exception e) when (e is TimeoutException or InvalidOperationException or WebSocketException) { }
        _stop.Cancel();
        try
        {
            if (!_process.WaitForExit(5000)) _process.Kill(true);
        }
        catch (InvalidOperationException) { }
        _socket.Dispose();
        try { await _reader; } catch (Exception) { /* the socket is gone */ }
        _process.Dispose();
        try { Directory.Delete(_profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
