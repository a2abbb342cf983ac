using System.Text.Json.Nodes;

namespace NiSharp.Atlases;

/// <summary>
/// A BIDS-Atlas dataset (<c>DatasetType</c> <c>atlas</c>; XCP-D's <c>--datasets</c>, PennLINC's AtlasPack), read as XCP-D
/// reads it: <c>DIR/atlas-NAME/atlas-NAME_space-SPACE[_res-R][_desc-D]_dseg.nii.gz</c>, the label table
/// <c>atlas-NAME[_desc-D]_dseg.tsv</c> (with <c>index</c> and <c>name</c> columns) and an optional JSON sidecar, each the
/// nearest such file to the image.
/// </summary>
public sealed class BidsAtlasDataset
{
    /// <summary>The dataset's folder.</summary>
    public string Directory { get; }

    /// <summary>A dataset at <paramref name="directory"/>; fails when the folder does not exist.</summary>
    public BidsAtlasDataset(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
            throw new NiSharpException(directory, File.Exists(directory) ? "is a file; a BIDS-Atlas dataset is a folder of atlas-NAME/ folders" : "the BIDS-Atlas dataset does not exist");
        Directory = directory;
    }

    /// <summary>The dataset's <c>Name</c> (<c>dataset_description.json</c>), else its folder name.</summary>
    public string Name
    {
        get
        {
            var description = Path.Combine(Directory, "dataset_description.json");
            try
            {
                if (File.Exists(description) && JsonNode.Parse(IO.InputFile.ReadJsonBytes(description, "a dataset description")) is JsonObject o && o["Name"] is JsonValue v && v.TryGetValue(out string? n) && n.Length > 0) return n;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or NiSharpException) { }
            return Path.GetFileName(Path.GetFullPath(Directory).TrimEnd('/'));
        }
    }

    /// <summary>Whether the dataset has an <c>atlas-NAME</c> folder.</summary>
    public bool Has(string name) => System.IO.Directory.Exists(Path.Combine(Directory, "atlas-" + name));

    /// <summary>Every atlas image of the dataset (names only are read), in name order.</summary>
    public IReadOnlyList<AtlasImageFile> AtlasFiles()
    {
        var list = new List<AtlasImageFile>();
        foreach (var folder in System.IO.Directory.EnumerateDirectories(Directory, "atlas-*").Order(StringComparer.Ordinal))
        {
            var atlas = Path.GetFileName(folder)["atlas-".Length..];
            foreach (var f in System.IO.Directory.EnumerateFileSystemEntries(folder, "atlas-*").Order(StringComparer.Ordinal))
                if (AtlasImageFile.TryParse(f, "space") is { } a && a.Atlas == atlas) list.Add(a);
        }
        return list;
    }

    /// <summary>The image of atlas <paramref name="name"/> for <paramref name="target"/> (see <see cref="TemplateFlowHome.Find"/>).</summary>
    public AtlasImageFile Find(string name, string? desc, string? atlasSpace, AtlasTarget target, string display) =>
        AtlasFileChoice.Choose(AtlasFiles(), name, desc, atlasSpace, target, display, $"the BIDS-Atlas dataset {Directory}",
            space => $"add atlas-{name}/atlas-{name}_space-{space}_dseg.nii.gz to the dataset");
}
