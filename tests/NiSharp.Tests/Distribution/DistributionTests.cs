using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Distribution;

/// <summary>
/// The repository checkout, a private NuGet world (a package folder of its own, the feed under test and the machine's
/// package cache as a read-only source: offline, and no run sees an older build of the same version), and child
/// processes run with a time limit.
/// </summary>
public sealed class DistributionWorld : IDisposable
{
    private readonly TempDir _root = new();

    /// <summary>The checkout (the folder holding <c>NiSharp.slnx</c>).</summary>
    public string Repository { get; }

    /// <summary>The build configuration the tests were built in (the packages are made from the same build).</summary>
    public string Configuration { get; }

    /// <summary>The version in <c>Directory.Build.props</c>.</summary>
    public string Version { get; }

    /// <summary>The folder feed that <c>dotnet pack NiSharp.slnx -o</c> wrote.</summary>
    public string Feed => Path.Combine(_root.Path, "feed");

    /// <summary>A scratch folder of this world.</summary>
    public string Scratch(string name) => Directory.CreateDirectory(Path.Combine(_root.Path, name)).FullName;

    public DistributionWorld()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "NiSharp.slnx"))) dir = dir.Parent;
        Repository = dir?.FullName ?? throw new InvalidOperationException("the tests do not run from a checkout (no NiSharp.slnx above " + AppContext.BaseDirectory + ")");
        Configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name; // bin/<Configuration>/net10.0/
        Version = Run(Repository, 60, "dotnet", "msbuild", "src/NiSharp.Cli", "-getProperty:Version", "-nologo").Stdout.Trim();
        var sources = Path.Combine(_root.Path, "nuget.config");
        File.WriteAllText(sources, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="feed" value="{Feed}" />
                <add key="machine-cache" value="{MachinePackages}" />
              </packageSources>
            </configuration>
            """);
    }

    /// <summary>Packs the solution once (from the tests' own build: <c>--no-build</c>), as the README says.</summary>
    public void EnsurePacked()
    {
        lock (_root)
        {
            if (Directory.Exists(Feed)) return;
            var r = Run(Repository, 300, "dotnet", "pack", "NiSharp.slnx", "-c", Configuration, "--no-build", "-o", Feed + ".tmp", "-nologo");
            Assert.True(r.ExitCode == 0, "dotnet pack failed:\n" + r.Stdout + r.Stderr);
            Directory.Move(Feed + ".tmp", Feed);
        }
    }

    /// <summary>The packages folder NuGet uses on this machine (a folder feed in the layout NuGet reads).</summary>
    private static string MachinePackages =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    /// <summary>Runs a program in <paramref name="workingDirectory"/> inside this world's NuGet settings.</summary>
    public (int ExitCode, string Stdout, string Stderr) Run(string workingDirectory, int timeoutSeconds, string program, params string[] args) =>
        RunWith(workingDirectory, timeoutSeconds, env => { }, program, args);

    /// <summary>As <see cref="Run"/>, with the environment adjusted by <paramref name="environment"/>.</summary>
    public (int ExitCode, string Stdout, string Stderr) RunWith(string workingDirectory, int timeoutSeconds,
        Action<IDictionary<string, string?>> environment, string program, params string[] args)
    {
        if (program == "dotnet" && Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) program = host;
        var start = new ProcessStartInfo(program, args)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["NUGET_PACKAGES"] = Path.Combine(_root.Path, "packages");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // The test host's MSBuild settings would leak into the child builds.
        foreach (var k in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
            start.Environment.Remove(k);
        environment(start.Environment);
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in {timeoutSeconds} s:\n{stdout.Result}{stderr.Result}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The nuget.config of this world (only the feed and the machine's package cache).</summary>
    public string NuGetConfig => Path.Combine(_root.Path, "nuget.config");

    public void Dispose() => _root.Dispose();
}

/// <summary>
/// The NuGet packages as users get them (issue 17): <c>dotnet pack NiSharp.slnx</c> makes the library and the tool
/// (with one version, their metadata, symbols, XML docs, the licences, the embedded atlases and viewer), the tool
/// installs from the feed and runs the demo, and a fresh console app loads a bundled atlas from the library package.
/// Everything runs from a private package folder, offline.
/// </summary>
public sealed class PackageTests(DistributionWorld world) : IClassFixture<DistributionWorld>
{
    [Fact]
    public void Pack_makes_the_library_and_the_tool_with_one_version_metadata_symbols_and_licences()
    {
        world.EnsurePacked();
        var files = Directory.GetFiles(world.Feed).Select(Path.GetFileName).Order().ToArray();
        var v = world.Version;
        Assert.Equal(new[] { $"NiSharp.Cli.{v}.nupkg", $"NiSharp.Cli.{v}.snupkg", $"NiSharp.{v}.nupkg", $"NiSharp.{v}.snupkg" }.Order(), files);

        foreach (var (id, readmeMentions) in new[] { ("NiSharp", "Atlas.Load"), ("NiSharp.Cli", "dotnet tool install") })
        {
            using var zip = ZipFile.OpenRead(Path.Combine(world.Feed, $"{id}.{v}.nupkg"));
            var nuspec = XDocument.Load(zip.GetEntry($"{id}.nuspec")!.Open());
            XNamespace ns = nuspec.Root!.Name.Namespace;
            var meta = nuspec.Root.Element(ns + "metadata")!;
            string Meta(string name) => meta.Element(ns + name)?.Value ?? "";
            Assert.Equal(id, Meta("id"));
            Assert.Equal(v, Meta("version"));
            Assert.Equal("MIT", Meta("license"));
            Assert.Equal("expression", meta.Element(ns + "license")!.Attribute("type")!.Value);
            Assert.Equal("README.md", Meta("readme"));
            Assert.Contains("fMRIPrep", Meta("description"));
            Assert.Contains("neuroimaging", Meta("tags"));
            Assert.False(string.IsNullOrWhiteSpace(Meta("authors")));
            Assert.StartsWith("https://", meta.Element(ns + "repository")!.Attribute("url")!.Value);

            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains(readmeMentions, new StreamReader(zip.GetEntry("README.md")!.Open()).ReadToEnd());
            foreach (var licence in new[] { "LICENSE", "DATA-LICENSES.md", "neuroparc-LICENSE.md", "nilearn_LICENSE", "Yeo_JNeurophysiol11_MNI152_README" })
                Assert.Contains("licenses/" + licence, entries);
            Assert.Contains("Harvard-Oxford", new StreamReader(zip.GetEntry("licenses/DATA-LICENSES.md")!.Open()).ReadToEnd());

            string dllDir = id == "NiSharp" ? "lib/net10.0/" : "tools/net10.0/any/";
            Assert.Contains(dllDir + "NiSharp.dll", entries);
            if (id == "NiSharp") Assert.Contains("lib/net10.0/NiSharp.xml", entries); // the API docs for IntelliSense
            else
            {
                Assert.Equal("DotnetTool", meta.Element(ns + "packageTypes")!.Elements().Single().Attribute("name")!.Value);
                var settings = XDocument.Load(zip.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
                Assert.Equal("nisharp", settings.Descendants("Command").Single().Attribute("Name")!.Value);
                Assert.Contains(entries, e => e.StartsWith("tools/net10.0/any/runtimes/linux-x64/native/libSkiaSharp", StringComparison.Ordinal));
            }

            // The bundled atlases, templates and the viewer travel inside the library's assembly.
            var resources = ManifestResources(zip.GetEntry(dllDir + "NiSharp.dll")!);
            foreach (var r in new[]
                     {
                         "data/atlases/schaefer2018/Schaefer2018_100Parcels_7Networks_order_FSLMNI152_2mm.nii.gz",
                         "data/atlases/yeo2011/relabeled_yeo_atlas.nii.gz",
                         "data/templates/nilearn_mni_icbm152_t1_tal_nlin_sym_09a_converted.nii.gz",
                         "NiSharp.Viewer.template.html", "NiSharp.Viewer.niivue.umd.js",
                     })
                Assert.Contains(r, resources);

            using var symbols = ZipFile.OpenRead(Path.Combine(world.Feed, $"{id}.{v}.snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName == dllDir + "NiSharp.pdb");
        }
    }

    [Fact]
    public void Tool_installs_from_the_feed_and_runs_the_demo()
    {
        world.EnsurePacked();
        var tools = world.Scratch("tools");
        var install = world.Run(Path.GetDirectoryName(world.NuGetConfig)!, 300, "dotnet", "tool", "install", "--tool-path", tools,
            "--add-source", world.Feed, "NiSharp.Cli", "--version", world.Version);
        Assert.True(install.ExitCode == 0, install.Stdout + install.Stderr);

        var nisharp = Path.Combine(tools, OperatingSystem.IsWindows() ? "nisharp.exe" : "nisharp");
        var version = world.Run(tools, 60, nisharp, "--version");
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith(world.Version, version.Stdout.Trim());

        var output = Path.Combine(world.Scratch("tool-demo"), "demo");
        var demo = world.Run(tools, 600, nisharp, "demo", "--subjects", "4", "-o", output);
        Assert.True(demo.ExitCode == 0, demo.Stdout + demo.Stderr);
        AssertDemoOutputs(output);
    }

    [Fact]
    public void A_fresh_console_app_loads_a_bundled_atlas_from_the_library_package()
    {
        world.EnsurePacked();
        var app = world.Scratch("app");
        File.WriteAllText(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <RestoreConfigFile>{world.NuGetConfig}</RestoreConfigFile>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NiSharp" Version="{world.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using NiSharp.Atlases;
            var atlas = Atlas.Load("schaefer100-7");
            Console.WriteLine($"{atlas.Name} {atlas.Labels.Regions.Count} {atlas.LabelsPresent.Count} {string.Join('x', atlas.Image.Shape)}");
            Console.WriteLine(atlas.Labels.Regions[0].Name);
            """);
        var run = world.Run(app, 600, "dotnet", "run", "-c", "Release");
        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Schaefer 2018, 100 parcels, 7 networks on FSL's 2 mm MNI grid (91×109×91); its first parcel is 7Networks_LH_Vis_1.
        Assert.Equal("schaefer100-7 100 100 91x109x91", lines[0].Trim());
        Assert.Equal("7Networks_LH_Vis_1", lines[1].Trim());
    }

    /// <summary>What <c>nisharp demo --subjects 4</c> writes: per-subject matrices, the group tables and the report.</summary>
    internal static void AssertDemoOutputs(string output)
    {
        var results = Path.Combine(output, "results");
        Assert.Equal(4, Directory.GetFiles(results, "sub-*_stat-pearsoncorrelation_relmat.tsv", SearchOption.AllDirectories).Length);
        Assert.True(File.Exists(Path.Combine(results, "report.html")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(results, "group"), "*.tsv"));
    }

    private static HashSet<string> ManifestResources(ZipArchiveEntry dll)
    {
        var bytes = new MemoryStream();
        using (var s = dll.Open()) s.CopyTo(bytes);
        bytes.Position = 0;
        using var pe = new PEReader(bytes);
        var md = pe.GetMetadataReader();
        return md.ManifestResources.Select(h => md.GetString(md.GetManifestResource(h).Name)).ToHashSet();
    }
}

/// <summary>
/// The self-contained binary and the container image (issue 17): slow (NativeAOT compilation, a Debian bootstrap),
/// so outside the default suite: <c>NISHARP_SLOW_TESTS=1 ./test.sh --filter Category=Slow</c>.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PublishedBinaryTests(DistributionWorld world) : IClassFixture<DistributionWorld>
{
    private static bool Enabled => Environment.GetEnvironmentVariable("NISHARP_SLOW_TESTS") == "1";

    [SkippableFact]
    public void The_self_contained_binary_runs_the_demo_with_no_dotnet_in_the_environment()
    {
        Skip.IfNot(Enabled, "slow (NativeAOT compilation): set NISHARP_SLOW_TESTS=1");
        Skip.IfNot(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64, "the linux-x64 binary");
        var publish = world.Run(world.Repository, 1200, Path.Combine(world.Repository, "build", "publish.sh"), "linux-x64");
        Assert.True(publish.ExitCode == 0, publish.Stdout + publish.Stderr);
        var dir = Path.Combine(world.Repository, "artifacts", $"nisharp-{world.Version}-linux-x64");
        Assert.True(File.Exists(dir + ".tar.gz"));
        Assert.True(File.Exists(Path.Combine(dir, "libSkiaSharp.so")));
        Assert.True(File.Exists(Path.Combine(dir, "licenses", "DATA-LICENSES.md")));

        var output = Path.Combine(world.Scratch("binary-demo"), "demo");
        // env -i: nothing from this environment (no dotnet on PATH, no DOTNET_ROOT, no HOME).
        var demo = world.Run(world.Scratch("binary-cwd"), 600, "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", Path.Combine(dir, "nisharp"),
            "demo", "--subjects", "4", "-o", output);
        Assert.True(demo.ExitCode == 0, demo.Stdout + demo.Stderr);
        PackageTests.AssertDemoOutputs(output);
    }

    [SkippableFact]
    public void The_container_image_builds_offline_and_runs_the_demo_inside()
    {
        Skip.IfNot(Enabled, "slow (a Debian bootstrap and an image build): set NISHARP_SLOW_TESTS=1");
        var r = world.Run(world.Repository, 1800, Path.Combine(world.Repository, "build", "container.sh"), "--test");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Skip.If(r.Stdout.Contains("container: skipped:"), r.Stdout.Trim());
        Assert.Contains("demo inside the image:", r.Stdout);
    }
}
