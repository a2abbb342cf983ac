namespace NiSharp.Tests.Support;

/// <summary>
/// Marks a test as the parity test of nilearn fixture cases (the <c>case</c> names of the fixtures' manifest.json).
/// <see cref="NilearnCaseCoverageTests"/> checks that every case of both releases has one.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class NilearnCaseAttribute(params string[] cases) : Attribute
{
    /// <summary>The manifest cases the test compares against.</summary>
    public IReadOnlyList<string> Cases { get; } = cases;
}
