using NiSharp.Pipeline;
using NiSharp.Tests.Support;

namespace NiSharp.Tests.Pipeline;

/// <summary>The input folders' real paths, their shared parents resolved once, are each folder's own real path.</summary>
public class TreeBoundaryTests
{
    [Fact]
    public void Real_folders_resolve_every_link_as_each_folder_alone()
    {
        using var dir = new TempDir();
        var root = dir.Path;
        var data = Directory.CreateDirectory(Path.Combine(root, "data")).FullName;
        var scratch = Directory.CreateDirectory(Path.Combine(root, "scratch")).FullName;
        // sub-01 plain; sub-02 a link to another disk (absolute); sub-03 a relative link; sub-04's session folder a link;
        // the dataset reached through a linked parent; a dangling link left out.
        Directory.CreateDirectory(Path.Combine(data, "sub-01", "func"));
        Directory.CreateDirectory(Path.Combine(scratch, "s02", "func"));
        Directory.CreateSymbolicLink(Path.Combine(data, "sub-02"), Path.Combine(scratch, "s02"));
        Directory.CreateDirectory(Path.Combine(scratch, "s03", "func"));
        Directory.CreateSymbolicLink(Path.Combine(data, "sub-03"), Path.Combine("..", "scratch", "s03"));
        Directory.CreateDirectory(Path.Combine(data, "sub-04"));
        Directory.CreateDirectory(Path.Combine(scratch, "ses", "func"));
        Directory.CreateSymbolicLink(Path.Combine(data, "sub-04", "ses-1"), Path.Combine(scratch, "ses"));
        var alias = Path.Combine(root, "alias");
        Directory.CreateSymbolicLink(alias, data);
        Directory.CreateSymbolicLink(Path.Combine(data, "sub-05"), Path.Combine(scratch, "not-fetched"));
        string[] folders =
        [
            Path.Combine(data, "sub-01", "func"), Path.Combine(data, "sub-02", "func"), Path.Combine(data, "sub-03", "func"),
            Path.Combine(data, "sub-04", "ses-1", "func"), Path.Combine(alias, "sub-01", "func"), Path.Combine(alias, "sub-02", "func"),
            Path.Combine(data, "sub-01", "anat-not-there"),
        ];
        var expected = folders.Select(TreeBoundary.RealPath).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, TreeBoundary.RealFolders([.. folders, Path.Combine(data, "sub-05", "func")]));
        Assert.Contains(Path.Combine(TreeBoundary.RealPath(scratch), "s03", "func"), expected);
        Assert.Throws<NiSharpException>(() => TreeBoundary.RealPath(Path.Combine(data, "sub-05", "func")));
    }
}
