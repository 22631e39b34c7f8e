// Exposition
