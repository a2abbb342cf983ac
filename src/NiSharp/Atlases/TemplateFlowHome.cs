namespace NiSharp.Atlases;

/// <summary>
/// A TemplateFlow home — the folder TemplateFlow's client fills (<c>$TEMPLATEFLOW_HOME</c>, default
/// <c>~/.cache/templateflow</c>), which fMRIPrep needs and HPC systems therefore have — read for atlases:
/// <c>tpl-SPACE/tpl-SPACE[_res-R]_atlas-ATLAS[_desc-DESC]_{dseg,probseg}.nii.gz</c> with their
/// <c>tpl-SPACE_atlas-ATLAS[_desc-DESC]_dseg.tsv</c>. Never downloads: what is not there is an error that says what is.
/// </summary>
public sealed class TemplateFlowHome
{
    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>A home at <paramref name="directory"/>.</summary>
    public TemplateFlowHome(string directory) => Directory = directory;

    /// <summary><c>$TEMPLATEFLOW_HOME</c> when set, else <c>~/.cache/templateflow</c> (TemplateFlow's own default).</summary>
    public static string DefaultPath
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("TEMPLATEFLOW_HOME");
            if (!string.IsNullOrWhiteSpace(env)) return env;
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(string.IsNullOrEmpty(home) ? "~" : home, ".cache", "templateflow");
        }
    }

    /// <summary>Whether the folder exists.</summary>
    public bool Exists => System.IO.Directory.Exists(Directory);

    /// <summary>Every atlas image of the home (file names only are read): <c>tpl-*/</c> files with an <c>atlas-</c> entity and a
    /// <c>dseg</c>/<c>probseg</c> suffix, in name order.</summary>
    public IReadOnlyList<AtlasImageFile> AtlasFiles()
    {
        if (!Exists) return [];
        var list = new List<AtlasImageFile>();
        foreach (var tpl in System.IO.Directory.EnumerateDirectories(Directory, "tpl-*").Order(StringComparer.Ordinal))
            foreach (var f in System.IO.Directory.EnumerateFileSystemEntries(tpl, "*_atlas-*").Order(StringComparer.Ordinal))
                if (AtlasImageFile.TryParse(f, "tpl") is { } a && a.Space == Path.GetFileName(tpl)["tpl-".Length..]) list.Add(a);
        return list;
    }

    /// <summary>
    /// The image of atlas <paramref name="name"/> (<c>desc</c> <paramref name="desc"/>) for <paramref name="target"/>: in
    /// <paramref name="atlasSpace"/> when given, else the data's space, at the resolution nearest the data's voxels.
    /// <paramref name="display"/> names the request in errors.
    /// </summary>
    public AtlasImageFile Find(string name, string? desc, string? atlasSpace, AtlasTarget target, string display)
    {
        if (!Exists)
            throw new NiSharpException(Directory, $"{display}: the TemplateFlow home does not exist (set TEMPLATEFLOW_HOME, or --templateflow-home, to the folder " +
                                                  "TemplateFlow's client fills; NiSharp never downloads)");
        return AtlasFileChoice.Choose(AtlasFiles(), name, desc, atlasSpace, target, display, $"TEMPLATEFLOW_HOME={Directory}",
            space => $"NiSharp never downloads: fetch it with TemplateFlow's client (python -c \"import templateflow.api as tf; tf.get('{space}', atlas='{name}'" +
                     (desc is null ? "" : $", desc='{desc}'") + ")\")");
    }
}
