package org.diredi.core.model;

/**
 * The backbone part of a {@link ModelConfig}: one record per backbone kind, each building its own
 * block. A new kind is one more record here (and its fields in {@link ModelConfig}'s stored form).
 */
public sealed interface BackboneConfig permits ResNetConfig, MobileNetV2Config {

    /** The kind as checkpoint manifests name it ({@code resnet}, {@code mobilenetv2}). */
    String kind();

    /** A new, uninitialised backbone of this architecture. */
    Backbone build();
}
