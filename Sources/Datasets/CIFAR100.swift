/// CIFAR-100: 50,000 + 10,000 colour 32x32 images with 100 fine classes grouped into 20 coarse
/// ones, read from the user's copy of the binary version (`cifar-100-binary.tar.gz`, unpacked
/// to `cifar-100-binary/`).
public enum CIFAR100 {
    public static let fineClassNames = [
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    ]
    public static let coarseClassNames = [
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
        "household_electrical_devices", "household_furniture", "insects", "large_carnivores",
        "large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
        "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
        "vehicles_1", "vehicles_2",
    ]
    public static let trainFile = "train.bin"
    public static let testFile = "test.bin"
    public static let subfolder = "cifar-100-binary"
    /// Images in `train.bin` and `test.bin` of the official release.
    public static let officialCounts = (train: 50_000, test: 10_000)

    public static let fix = "download the CIFAR-100 binary version (cifar-100-binary.tar.gz, "
        + "https://www.cs.toronto.edu/~kriz/cifar.html), unpack it and pass --data with the folder holding "
        + "train.bin and test.bin (or the folder above \(subfolder)/)"

    /// `path` is the folder holding the `.bin` files or the one holding `cifar-100-binary/`.
    /// Labels are the 100 fine classes, or the 20 coarse ones when `coarseLabels` is set. With
    /// `requireOfficialSize` (the default) the files must hold 50,000 and 10,000 images.
    public static func load(from path: String, coarseLabels: Bool = false, requireOfficialSize: Bool = true) throws -> DatasetPair {
        let folder = try CIFARBinary.resolveFolder(path, marker: trainFile, subfolder: subfolder, fix: fix)
        let files = try CIFARBinary.requireFiles([trainFile, testFile], in: folder, fix: fix)
        let format = CIFARBinary(labelRanges: [coarseClassNames.count, fineClassNames.count],
                                 labelIndex: coarseLabels ? 0 : 1)
        let names = coarseLabels ? coarseClassNames : fineClassNames
        let name = coarseLabels ? "cifar100-coarse" : "cifar100"
        let trainRecords = try format.read(files: [files[0]], recordsPerFile: requireOfficialSize ? officialCounts.train : nil)
        let testRecords = try format.read(files: [files[1]], recordsPerFile: requireOfficialSize ? officialCounts.test : nil)
        let trainPart = try Dataset(
            name: name, part: "train", channels: 3, height: 32, width: 32, classNames: names,
            images: trainRecords.images, labels: trainRecords.labels)
        let testPart = try Dataset(
            name: name, part: "test", channels: 3, height: 32, width: 32, classNames: names,
            images: testRecords.images, labels: testRecords.labels, statistics: trainPart.statistics)
        return DatasetPair(train: trainPart, test: testPart)
    }
}
