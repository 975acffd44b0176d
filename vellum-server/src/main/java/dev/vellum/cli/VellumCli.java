package dev.vellum.cli;
public final class VellumCli { public static void main(String[] a) {} }
