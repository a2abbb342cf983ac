using System.Runtime.CompilerServices;

namespace NiSharp.Tests.Support;

/// <summary>The suite never writes the user's cache: the fitted-atlas cache of every test (and of the processes tests
/// start, which inherit the variable) lies in a temporary folder, unless NISHARP_CACHE is set already.</summary>
internal static class TestCache
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NISHARP_CACHE")))
            Environment.SetEnvironmentVariable("NISHARP_CACHE", Path.Combine(Path.GetTempPath(), $"nisharp-test-cache-{Environment.ProcessId}"));
    }
}
